package io.vpccni.it.ipamd;

import io.vpccni.it.localstack.LocalStack;
import io.vpccni.rpc.message.IpamReply;
import io.vpccni.rpc.message.StatusOk;
import io.vpccni.rpc.message.StatusRequest;
import io.vpccni.rpc.transport.IpamClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The production daemon composition ({@link DaemonWithoutDataPlane}) as a child process of its own, configured
 * for a {@link SimulatedNode}: for tests that kill it with SIGKILL and for benchmarks that read its resident
 * memory. Its output goes to {@code ipamd.log} in the node's directory.
 */
final class DaemonProcess implements AutoCloseable {

    private final SimulatedNode node;
    private final Process process;

    private DaemonProcess(SimulatedNode node, Process process) {
        this.node = node;
        this.process = process;
    }

    /** Starts the daemon with extra JVM flags (none for the JVM's defaults); returns before it serves. */
    static DaemonProcess start(SimulatedNode node, List<String> jvmFlags) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), DaemonWithoutDataPlane.class.getName()));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(node.env);
        builder.environment().put("AWS_EC2_METADATA_SERVICE_ENDPOINT", node.imds.endpoint().toString());
        builder.environment().put("AWS_ENDPOINT_URL_EC2", LocalStack.ENDPOINT.toString());
        builder.environment().put("AWS_ACCESS_KEY_ID", "test");
        builder.environment().put("AWS_SECRET_ACCESS_KEY", "test");
        builder.redirectErrorStream(true);
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log(node).toFile()));
        return new DaemonProcess(node, builder.start());
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits (at most 120 s) until the daemon answers STATUS as ready; fails with its log if it exits first. */
    void awaitReady() throws Exception {
        Path socket = Path.of(node.env.get("VPC_CNI_SOCKET"));
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        Object last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("ipamd exited: " + logTail());
            }
            if (Files.exists(socket)) {
                try {
                    IpamReply status = new IpamClient(socket, Duration.ofSeconds(2)).call(new StatusRequest());
                    if (status instanceof StatusOk ok && ok.ready()) {
                        return;
                    }
                    last = status;
                } catch (IOException notYet) {
                    last = notYet;
                    // socket left by a killed process, or not accepting yet
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("ipamd not ready in 120 s (" + last + "): " + logTail());
    }

    /** SIGKILL, and wait for the process to be gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    String logTail() throws IOException {
        List<String> lines = Files.readAllLines(log(node));
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    private static Path log(SimulatedNode node) {
        return node.dir.resolve("ipamd.log");
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
