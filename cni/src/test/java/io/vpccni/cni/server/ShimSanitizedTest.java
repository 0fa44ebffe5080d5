package io.vpccni.cni.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.netlink.testing.Shell;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The C shim built with AddressSanitizer and UBSan (any finding ends it with exit status 86 or 87), against
 * servers that misbehave: a full backlog, one that never reads, one not run by root, and a corpus of replies
 * ({@code shim-corpus/replies}: {@code exit-S-*} must be printed with status S, {@code fallback-*} must send the
 * invocation to the standalone plugin) and of requests ({@code shim-corpus/requests}: stdin that must reach the
 * server byte for byte). The standalone plugin is a script that prints "standalone" and its stdin.
 */
class ShimSanitizedTest {
    static final Path SOURCE = Path.of("src/main/c/vpc_cni_shim.c");
    static final Path CORPUS = Path.of("src/test/resources/shim-corpus");
    static final Path BUILT = Path.of("target/shim-sanitized/vpc-cni");
    /** The shim's connect and send time-outs are 3 and 5 s; this is what "falls back within" allows. */
    static final Duration FALLBACK_WITHIN = Duration.ofSeconds(12);
    static final String SANITIZER_OPTIONS_ASAN = "detect_leaks=0:exitcode=86";
    static final String SANITIZER_OPTIONS_UBSAN = "halt_on_error=1:exitcode=87:print_stacktrace=1";

    @TempDir
    Path dir;
    Path socketDir;
    Path pluginSock;
    private final List<AutoCloseable> open = new ArrayList<>();

    record Run(int exit, byte[] stdout, String stderr, Duration took) {
        String out() {
            return new String(stdout, UTF_8);
        }
    }

    @BeforeAll
    static void build() throws Exception {
        Shell.require(Shell.tryRun("cc", "--version").exit() == 0, "the shim's tests need a C compiler (cc)");
        Files.createDirectories(BUILT.getParent());
        Shell.run("cc", "-g", "-O1", "-fno-omit-frame-pointer", "-fsanitize=address,undefined",
                "-fno-sanitize-recover=all", "-Wall", "-Wextra", "-Werror", "-o", BUILT.toString(),
                SOURCE.toString());
    }

    @BeforeEach
    void layout() throws IOException {
        Path bin = Files.createDirectories(dir.resolve("home/bin"));
        Path standalone = bin.resolve("vpc-cni-jvm");
        Files.writeString(standalone, "#!/bin/sh\necho standalone\nexec cat\n");
        Files.setPosixFilePermissions(standalone, PosixFilePermissions.fromString("rwxr-xr-x"));
        // World-writable, so that a listener of another user can bind in it (notRoot); the tree is ours.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        socketDir = Files.createDirectories(dir.resolve("run"));
        Files.setPosixFilePermissions(socketDir, PosixFilePermissions.fromString("rwxrwxrwx"));
        pluginSock = socketDir.resolve(PluginServer.SOCKET_NAME);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    Run shim(byte[] stdin, Map<String, String> extraEnv) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(BUILT.toAbsolutePath().toString());
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", "/usr/bin:/bin");
        env.put("CNI_COMMAND", "ADD");
        env.put("CNI_CONTAINERID", "c1");
        env.put("CNI_NETNS", "/var/run/netns/x");
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_PATH", "/opt/cni/bin");
        env.put("VPC_CNI_SOCKET", socketDir.resolve("ipamd.sock").toString());
        env.put("VPC_CNI_HOME", dir.resolve("home").toString());
        env.put("ASAN_OPTIONS", SANITIZER_OPTIONS_ASAN);
        env.put("UBSAN_OPTIONS", SANITIZER_OPTIONS_UBSAN);
        env.putAll(extraEnv);
        long start = System.nanoTime();
        Process p = pb.start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        try (var in = p.getOutputStream()) {
            in.write(stdin);
        } catch (IOException shimDidNotReadItAll) {
            // it fell back before reading stdin; the standalone script reads what is left
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the shim hung for 60 s");
        }
        Run run = new Run(p.exitValue(), out.get(), new String(err.get(), UTF_8),
                Duration.ofNanos(System.nanoTime() - start));
        assertThat(run.exit()).as("sanitizer exit status; stderr: %s", run.stderr()).isNotIn(86, 87);
        assertThat(run.stderr()).doesNotContain("AddressSanitizer").doesNotContain("runtime error");
        return run;
    }

    static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    ServerSocketChannel listen(int backlog) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(pluginSock), backlog);
        open.add(s);
        return s;
    }

    /** Accepts connections, reads each request in full into {@code taken}, answers {@code reply}, closes. */
    ByteArrayOutputStream answering(byte[] reply) throws IOException {
        ServerSocketChannel s = listen(16);
        ByteArrayOutputStream taken = new ByteArrayOutputStream();
        Thread t = Thread.ofPlatform().daemon().start(() -> {
            while (s.isOpen()) {
                try (SocketChannel c = s.accept()) {
                    ByteBuffer buf = ByteBuffer.allocate(2 << 20);
                    while (c.read(buf) >= 0) {
                        // the whole request
                    }
                    synchronized (taken) {
                        taken.reset();
                        taken.write(buf.array(), 0, buf.position());
                    }
                    c.write(ByteBuffer.wrap(reply));
                } catch (IOException closed) {
                    return;
                }
            }
        });
        open.add(t::interrupt);
        return taken;
    }

    @Test
    void aFullBacklogSendsTheInvocationToTheStandalonePluginWithinTheConnectTimeOut() throws Exception {
        listen(1); // never accepts
        for (int i = 0; i < 64; i++) {
            SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
            open.add(c);
            c.configureBlocking(false);
            try {
                if (!c.connect(UnixDomainSocketAddress.of(pluginSock))) {
                    break;
                }
            } catch (IOException full) {
                break;
            }
        }
        Run run = shim("{\"cniVersion\":\"1.0.0\"}".getBytes(UTF_8), Map.of());
        assertThat(run.out()).isEqualTo("standalone\n{\"cniVersion\":\"1.0.0\"}");
        assertThat(run.stderr()).contains("backlog stayed full");
        assertThat(run.took()).isLessThan(FALLBACK_WITHIN);
    }

    @Test
    void aServerThatNeverReadsSendsTheInvocationToTheStandalonePluginWithinTheSendTimeOut() throws Exception {
        ServerSocketChannel s = listen(16);
        List<SocketChannel> held = new ArrayList<>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                held.add(s.accept()); // and never read
            } catch (IOException closed) {
                // the test is over
            }
        });
        // More than the socket buffers hold, less than the 1 MiB the server would take.
        byte[] conf = ("{\"cniVersion\":\"1.0.0\"}" + " ".repeat(900_000)).getBytes(UTF_8);
        Run run = shim(conf, Map.of());
        assertThat(run.stderr()).contains("did not take the request in time");
        assertThat(run.stdout()).startsWith("standalone\n".getBytes(UTF_8)).hasSize(conf.length + 11);
        assertThat(run.took()).isLessThan(FALLBACK_WITHIN);
        for (SocketChannel c : held) {
            c.close();
        }
    }

    @Test
    void aListenerThatIsNotRootNeverSeesTheInvocation() throws Exception {
        Shell.require("root".equals(System.getProperty("user.name")), "listening as another user needs root");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path listener = dir.resolve("Listener.java");
        Files.writeString(listener, """
                import java.net.*; import java.nio.channels.*; import java.nio.file.*;
                class Listener { public static void main(String[] a) throws Exception {
                  var s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                  s.bind(UnixDomainSocketAddress.of(Path.of(a[0])));
                  System.out.println("listening"); System.out.flush();
                  var c = s.accept(); var b = java.nio.ByteBuffer.allocate(1 << 20);
                  while (c.read(b) >= 0) {} System.out.println("took " + b.position()); } }
                """);
        Process nobody = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                java.toString(), listener.toString(), pluginSock.toString()).redirectErrorStream(true).start();
        open.add(nobody::destroyForcibly);
        var lines = new java.io.BufferedReader(new java.io.InputStreamReader(nobody.getInputStream(), UTF_8));
        assertThat(lines.readLine()).isEqualTo("listening");

        Run run = shim("{\"cniVersion\":\"1.0.0\"}".getBytes(UTF_8), Map.of());
        assertThat(run.out()).isEqualTo("standalone\n{\"cniVersion\":\"1.0.0\"}");
        assertThat(run.stderr()).contains("not root");
        // The shim hung up without sending anything: the listener read nothing before the end of stream.
        assertThat(lines.readLine()).isEqualTo("took 0");
    }

    /**
     * Nothing listens (ipamd restarting): the ADD waits for the configured second, logging the wait to the plugin
     * log in PluginLog's shape with the container id's control characters escaped, then fails with code 11.
     */
    @Test
    void anAddWithNoDaemonWaitsItsSecondLogsItAndFails() throws Exception {
        Path log = dir.resolve("plugin.log");
        byte[] conf = ("{\"cniVersion\":\"1.0.0\",\"pluginLogFile\":\"" + log + "\",\"shimWaitSeconds\": \"1\"}")
                .getBytes(UTF_8);
        Run run = shim(conf, Map.of("CNI_CONTAINERID", "c1\nforged"));
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).startsWith("{\"cniVersion\":\"1.0.0\",\"code\":11,")
                .contains("within the shim's wait of 1 s");
        assertThat(run.took()).isGreaterThanOrEqualTo(Duration.ofSeconds(1)).isLessThan(FALLBACK_WITHIN);
        List<String> lines = Files.readAllLines(log);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO \\[\\d+\\] ADD of container"
                + " c1\\\\u000aforged: nothing listens on .*waiting up to 1 s for it \\(shimWaitSeconds\\)");
        assertThat(lines.get(1)).contains(" ERROR [").contains("did not come back within the shim's wait of 1 s");
    }

    /** Waits that are not a number of seconds in 0..180 end the ADD at once with code 7, whatever their shape. */
    @Test
    void everyMalformedWaitIsRefusedWithCodeSeven() throws Exception {
        List<String> values = List.of("-1", "1e3", "1.5", "\"\"", "\"12", "181", "99999999999", "null", "[1]",
                "\"\\u0031\"", "");
        for (String value : values) {
            byte[] conf = ("{\"cniVersion\":\"1.0.0\",\"shimWaitSeconds\":" + value).getBytes(UTF_8);
            Run run = shim(conf, Map.of());
            assertThat(run.exit()).as(value).isEqualTo(1);
            assertThat(run.out()).as(value).contains("\"code\":7").contains("invalid shimWaitSeconds");
        }
        Run run = shim("{}".getBytes(UTF_8), Map.of("VPC_CNI_SHIM_WAIT_SECONDS", " 5"));
        assertThat(run.out()).contains("\"code\":7").contains("VPC_CNI_SHIM_WAIT_SECONDS=' 5'");
    }

    @Test
    void everyReplyInTheCorpusIsPrintedOrLeftToTheStandalonePlugin() throws Exception {
        List<Path> replies;
        try (Stream<Path> files = Files.list(CORPUS.resolve("replies"))) {
            replies = files.sorted().toList();
        }
        assertThat(replies).hasSizeGreaterThan(20);
        byte[] conf = "{\"cniVersion\":\"1.0.0\"}".getBytes(UTF_8);
        Map<Path, String> wrong = new LinkedHashMap<>();
        for (Path reply : replies) {
            byte[] bytes = Files.readAllBytes(reply);
            closeAll();
            open.clear();
            Files.deleteIfExists(pluginSock);
            answering(bytes);
            Run run = shim(conf, Map.of());
            String name = reply.getFileName().toString();
            if (name.startsWith("exit-")) {
                int status = Integer.parseInt(name.split("-")[1]);
                int nl = new String(bytes, UTF_8).indexOf('\n', 17);
                byte[] body = java.util.Arrays.copyOfRange(bytes, nl + 1, bytes.length);
                if (run.exit() != status || !java.util.Arrays.equals(run.stdout(), body)) {
                    wrong.put(reply, "exit " + run.exit() + ", stdout " + run.out());
                }
            } else if (!run.out().equals("standalone\n{\"cniVersion\":\"1.0.0\"}") || run.exit() != 0) {
                wrong.put(reply, "exit " + run.exit() + ", stdout " + run.out() + ", stderr " + run.stderr());
            }
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void everyRequestInTheCorpusReachesTheServerIntactAndItsErrorNamesItsVersion() throws Exception {
        List<Path> requests;
        try (Stream<Path> files = Files.list(CORPUS.resolve("requests"))) {
            requests = files.sorted().toList();
        }
        assertThat(requests).hasSizeGreaterThan(10);
        // The server declines, and the standalone plugin is missing: the shim's own error object, built from stdin.
        ByteArrayOutputStream taken = answering("vpc-cni-plugin/1\nunserved test\n".getBytes(UTF_8));
        Map<String, String> env = Map.of("VPC_CNI_HOME", dir.resolve("nowhere").toString(),
                "CNI_ARGS", "K8S_POD_NAME=a\nforged", "CNI_BAD-NAME", "x", "OTHER", "y");
        for (Path request : requests) {
            byte[] stdin = Files.readAllBytes(request);
            Run run = shim(stdin, env);
            assertThat(run.exit()).as(request.toString()).isEqualTo(1);
            assertThat(run.out()).as(request.toString()).contains("\"code\":999")
                    .contains("cannot run the standalone plugin").matches("\\{\"cniVersion\":\"[0-9.]{1,16}\".*");
            byte[] got;
            synchronized (taken) {
                got = taken.toByteArray();
            }
            String text = new String(got, java.nio.charset.StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\0\0");
            assertThat(text.substring(0, end + 1)).as(request.toString()).startsWith("vpc-cni-plugin/1\n")
                    .contains("\0CNI_ARGS=K8S_POD_NAME=a\nforged\0").doesNotContain("CNI_BAD-NAME")
                    .doesNotContain("OTHER=").doesNotContain("ASAN_OPTIONS");
            assertThat(java.util.Arrays.copyOfRange(got, end + 2, got.length)).as(request.toString())
                    .isEqualTo(stdin);
        }
    }
}
