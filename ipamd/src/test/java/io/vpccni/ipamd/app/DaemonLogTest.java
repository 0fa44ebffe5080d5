package io.vpccni.ipamd.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.ipamd.config.IpamdConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ipamd's log: AWS_VPC_K8S_CNI_LOG_FILE at AWS_VPC_K8S_CNI_LOGLEVEL, one escaped line per record. */
class DaemonLogTest {
    @TempDir
    Path dir;
    private final Logger root = Logger.getLogger("");
    private List<Handler> before;
    private Level levelBefore;

    @BeforeEach
    void remember() {
        before = List.of(root.getHandlers());
        levelBefore = root.getLevel();
    }

    @AfterEach
    void restore() {
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
            h.close();
        }
        before.forEach(root::addHandler);
        root.setLevel(levelBefore);
    }

    private DaemonLog install(String file, String level) throws Exception {
        return DaemonLog.install(IpamdConfig.fromEnvironment(Map.of("AWS_VPC_K8S_CNI_LOG_FILE", file,
                "AWS_VPC_K8S_CNI_LOGLEVEL", level)).daemon());
    }

    @Test
    void theLogFileIsCreatedWithItsDirectoryAndHonoursTheLevel() throws Exception {
        Path file = dir.resolve("var/log/vpc-cni/ipamd.log");
        install(file.toString(), "info");
        System.Logger log = System.getLogger("io.vpccni.ipamd.test.Component");
        log.log(System.Logger.Level.DEBUG, "debug detail");
        log.log(System.Logger.Level.INFO, "assigned {0} to {1}", "10.0.0.5", "default/nginx");
        log.log(System.Logger.Level.WARNING, "pool low");

        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0))
                .matches("\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z INFO Component: assigned 10.0.0.5 to default/nginx");
        assertThat(lines.get(1)).endsWith("WARN Component: pool low");
    }

    @Test
    void atDebugTheDaemonsDetailIsWrittenButNotTheLibrariesWireDetail() throws Exception {
        Path file = dir.resolve("ipamd.log");
        install(file.toString(), "DEBUG");
        System.getLogger("io.vpccni.ipamd.pool.PoolMaintainer").log(System.Logger.Level.DEBUG, "tick");
        System.getLogger("software.amazon.awssdk.request").log(System.Logger.Level.DEBUG, "wire");
        System.getLogger("software.amazon.awssdk.request").log(System.Logger.Level.INFO, "retrying");

        assertThat(Files.readString(file)).contains("DEBUG PoolMaintainer: tick").contains("INFO request: retrying")
                .doesNotContain("wire");
    }

    @Test
    void aForgedNewlineFromARequestIsEscapedAndAnExceptionFollowsOnItsOwnLines() throws Exception {
        Path file = dir.resolve("ipamd.log");
        install(file.toString(), "info");
        String podName = "nginx\n2026-01-01T00:00:00Z ERROR IpamHandler: forged";
        System.getLogger("io.vpccni.rpc.transport.IpamServer").log(System.Logger.Level.ERROR,
                "rpc handler failed on add of " + podName, new IllegalStateException("pod " + podName));

        List<String> lines = Files.readAllLines(file);
        assertThat(lines.get(0)).endsWith("ERROR IpamServer: rpc handler failed on add of nginx\\n2026-01-01T00:00:00Z"
                + " ERROR IpamHandler: forged");
        assertThat(lines.get(1)).isEqualTo("  java.lang.IllegalStateException: pod nginx\\n2026-01-01T00:00:00Z ERROR"
                + " IpamHandler: forged");
        assertThat(lines.subList(2, lines.size())).isNotEmpty().allMatch(l -> l.startsWith("    at "));
    }

    @Test
    void aFileOverTheBoundIsRotated() throws Exception {
        Path file = dir.resolve("ipamd.log");
        DaemonLog log = DaemonLog.of(file.toString(), 200);
        for (int i = 0; i < 10; i++) {
            var record = new java.util.logging.LogRecord(Level.INFO, "line " + i + " " + "x".repeat(40));
            record.setLoggerName("t");
            log.publish(record);
        }
        log.close();
        assertThat(Files.readString(dir.resolve("ipamd.log.1"))).contains("line ");
        assertThat(Files.size(file)).isLessThan(300);
    }

    @Test
    void stdoutAndStderrAreAcceptedAsTheFileAsAwsNodeDoes() throws Exception {
        java.io.PrintStream saved = System.out;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            install("stdout", "warn");
            System.getLogger("io.vpccni.ipamd.X").log(System.Logger.Level.INFO, "below the level");
            System.getLogger("io.vpccni.ipamd.X").log(System.Logger.Level.WARNING, "to stdout");
        } finally {
            System.setOut(saved);
        }
        assertThat(captured.toString(java.nio.charset.StandardCharsets.UTF_8)).endsWith("WARN X: to stdout\n")
                .doesNotContain("below the level");
        assertThat(install("stderr", "error")).isNotNull();
    }
}
