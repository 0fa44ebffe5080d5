package io.vpccni.ipamd.hostnet;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Runs an external command (iptables and friends); an interface so the plan-and-apply code can be faked. */
@FunctionalInterface
public interface CommandRunner {

    /**
     * Runs {@code command} with {@code stdin} as its input and waits for it.
     *
     * @throws CommandException when it cannot be started or does not finish in time (a non-zero exit is a result)
     */
    Result run(List<String> command, String stdin);

    record Result(int exit, String stdout, String stderr) {
        public boolean ok() {
            return exit == 0;
        }
    }

    /** A command that could not run or that failed where failure is not an answer. */
    final class CommandException extends RuntimeException {
        public CommandException(String message) {
            super(message);
        }

        public CommandException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Real processes, each given {@code timeout} to finish. */
    static CommandRunner processes(Duration timeout) {
        return (command, stdin) -> {
            Process p;
            try {
                p = new ProcessBuilder(command).start();
            } catch (IOException e) {
                throw new CommandException("cannot start " + String.join(" ", command) + ": " + e.getMessage(), e);
            }
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
            try (OutputStream in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // The command may exit without reading its input; its exit status tells what happened.
            }
            try {
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    throw new CommandException(String.join(" ", command) + " did not finish within " + timeout);
                }
                return new Result(p.exitValue(), out.get(), err.get());
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new CommandException("interrupted while running " + String.join(" ", command), e);
            } catch (ExecutionException e) {
                throw new CommandException("cannot read the output of " + String.join(" ", command), e.getCause());
            }
        };
    }

    private static String drain(InputStream stream) {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
