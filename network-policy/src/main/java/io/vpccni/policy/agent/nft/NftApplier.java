package io.vpccni.policy.agent.nft;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs Debian's {@code nft}: a script on its standard input ({@code nft -f -}, one transaction: all of it or none),
 * and the listing of the table's counters. Every run is bounded in time (killed past it) and in output kept.
 * Needs CAP_NET_ADMIN in the namespace the command runs in.
 */
public final class NftApplier {

    private static final int OUTPUT_KEPT = 64 * 1024;

    private final List<String> nft;
    private final Duration timeout;

    /**
     * @param nft     the command that runs nft, e.g. {@code [nft]}, or {@code [ip, netns, exec, NAME, nft]} for
     *                a test namespace
     * @param timeout how long one run may take before it is killed and counted as failed
     */
    public NftApplier(List<String> nft, Duration timeout) {
        this.nft = List.copyOf(nft);
        this.timeout = timeout;
    }

    public static NftApplier host() {
        return new NftApplier(List.of("nft"), Duration.ofSeconds(30));
    }

    /** Applies {@code script} atomically. */
    public void apply(String script) throws NftException {
        run(List.of("-f", "-"), script);
    }

    /** The drop counters, or zeros when the table does not exist (yet). */
    public DropCounters counters() throws NftException {
        try {
            return DropCounters.parse(run(List.of("list", "counters", "table", NftScript.FAMILY_TABLE), ""));
        } catch (NftException e) {
            if (e.getMessage().contains("No such file or directory")) {
                return DropCounters.ZERO;
            }
            throw e;
        }
    }

    /** The table as nft lists it (tests and people reading a node). */
    public String listTable() throws NftException {
        return run(List.of("list", "table", NftScript.FAMILY_TABLE), "");
    }

    private String run(List<String> args, String stdin) throws NftException {
        List<String> command = new ArrayList<>(nft);
        command.addAll(args);
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new NftException("cannot run " + String.join(" ", command) + ": " + e.getMessage());
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        Thread reader = Thread.ofVirtual().start(() -> drain(process.getInputStream(), output));
        try {
            try (OutputStream in = process.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // nft exited early (a syntax error on the first lines): its output says why
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new NftException(String.join(" ", command) + " did not finish within " + timeout.toMillis()
                        + " ms; killed");
            }
            reader.join(timeout.toMillis());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new NftException(String.join(" ", command) + " interrupted");
        }
        String text;
        synchronized (output) {
            text = output.toString(StandardCharsets.UTF_8);
        }
        if (process.exitValue() != 0) {
            throw new NftException(String.join(" ", command) + " failed (exit " + process.exitValue() + "): "
                    + text.strip());
        }
        return text;
    }

    private static void drain(InputStream in, ByteArrayOutputStream out) {
        byte[] buffer = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                synchronized (out) {
                    if (out.size() < OUTPUT_KEPT) {
                        out.write(buffer, 0, Math.min(n, OUTPUT_KEPT - out.size()));
                    }
                }
            }
        } catch (IOException e) {
            // the process is gone; what was read is what there is
        }
    }
}
