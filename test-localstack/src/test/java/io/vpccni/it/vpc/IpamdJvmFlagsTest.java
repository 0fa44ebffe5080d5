package io.vpccni.it.vpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ipamd's JVM flags are one file, deploy/image/ipamd.jvm-flags: VPC in a box runs the daemon with exactly what the
 * image's launcher makes of it (its own shell line, run here), and the benchmarks have no flags of their own. No
 * emulator needed.
 */
class IpamdJvmFlagsTest {

    private static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (!Files.isRegularFile(dir.resolve(IpamdProcess.JVM_FLAGS_FILE))) {
            dir = dir.getParent();
        }
        return dir;
    }

    @Test
    void vpcInABoxRunsIpamdWithTheFlagsTheImagesLauncherReads() throws Exception {
        Path root = root();
        String launcher = Files.readString(root.resolve("deploy/image/ipamd"));
        String read = launcher.lines().filter(l -> l.startsWith("flags=")).findFirst().orElseThrow()
                .replace("$h/ipamd.jvm-flags", root.resolve(IpamdProcess.JVM_FLAGS_FILE).toString());
        Process shell = new ProcessBuilder("sh", "-c", "set -f; " + read + "; printf '%s\\n' $flags")
                .redirectErrorStream(true).start();
        List<String> launchers = new String(shell.getInputStream().readAllBytes()).lines().toList();

        assertThat(shell.waitFor()).isZero();
        assertThat(IpamdProcess.jvmFlags()).isEqualTo(launchers)
                .contains("-Xmx64m", "-XX:+ExitOnOutOfMemoryError", "-XX:TieredStopAtLevel=1");
        assertThat(IpamdProcess.javaCommand("ipamd")).containsSubsequence(launchers);
    }

    @Test
    void theBenchmarksHaveNoFlagsOfTheirOwn() throws Exception {
        for (String bench : List.of("ipamd-start.sh", "ipamd-served.sh", "ipamd-memory.sh")) {
            assertThat(Files.readString(root().resolve("bench").resolve(bench))).as(bench)
                    .doesNotContain("-Xmx").doesNotContain("SerialGC").doesNotContain("TieredStopAtLevel")
                    .doesNotContain("vpccni.ipamd.jvmFlags=");
        }
        assertThat(Files.readString(root().resolve("test-localstack/src/main/java/io/vpccni/it/vpc/IpamdProcess.java")))
                .doesNotContain("-Xmx").doesNotContain("SerialGC");
    }
}
