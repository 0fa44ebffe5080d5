package io.vpccni.it.vpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ipamd's JVM flags are one file, deploy/image/ipamd.jvm-flags: VPC in a box runs the daemon with exactly the flags
 * and environment the image's launcher gives it (the launcher itself, run here on a layout of its own), and the
 * benchmarks have no flags of their own. No emulator needed.
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
    void vpcInABoxRunsIpamdWithTheFlagsAndEnvironmentTheImagesLauncherGivesIt(@TempDir Path home) throws Exception {
        Path root = root();
        // The image's layout with a "java" that prints its arguments and the environment variables the flags set.
        Files.copy(root.resolve(IpamdProcess.JVM_FLAGS_FILE), home.resolve("ipamd.jvm-flags"));
        Path java = Files.createDirectories(home.resolve("runtime/bin")).resolve("java");
        StringBuilder printEnvironment = new StringBuilder();
        IpamdProcess.jvmEnvironment().keySet().forEach(name ->
                printEnvironment.append("echo \"env ").append(name).append("=$").append(name).append("\"\n"));
        Files.writeString(java, "#!/bin/sh\nprintf '%s\\n' \"$@\"\n" + printEnvironment);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        ProcessBuilder builder = new ProcessBuilder("sh", root.resolve("deploy/image/ipamd").toString(), "ipamd")
                .redirectErrorStream(true);
        builder.environment().put("IPAMD_HOME", home.toString());
        IpamdProcess.jvmEnvironment().keySet().forEach(builder.environment()::remove);
        Process launcher = builder.start();
        List<String> printed = new String(launcher.getInputStream().readAllBytes()).lines().toList();

        assertThat(launcher.waitFor()).as(String.join("\n", printed)).isZero();
        List<String> arguments = printed.stream().filter(l -> !l.startsWith("env ")).toList();
        // The launcher's own arguments, then the file's flags, then the class path.
        int nativeLibrary = arguments.indexOf(arguments.stream().filter(a -> a.startsWith("-Dvpccni.native.library="))
                .findFirst().orElseThrow());
        List<String> flags = arguments.subList(nativeLibrary + 1, arguments.indexOf("-cp"));
        assertThat(IpamdProcess.jvmFlags()).isEqualTo(flags)
                .contains("-Xmx64m", "-Xmn4m", "-XX:+ExitOnOutOfMemoryError", "-XX:TieredStopAtLevel=1");
        assertThat(IpamdProcess.javaCommand("ipamd")).containsSubsequence(flags);
        assertThat(arguments).endsWith("io.vpccni.ipamd.app.Main", "ipamd");
        assertThat(printed.stream().filter(l -> l.startsWith("env ")).map(l -> l.substring(4)).toList())
                .isEqualTo(IpamdProcess.jvmEnvironment().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                        .toList());
    }

    @Test
    void theLauncherExportsNameValueWordsForTheJvmAndRefusesAnyOtherWord(@TempDir Path home) throws Exception {
        Path java = Files.createDirectories(home.resolve("runtime/bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\necho \"MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(home.resolve("ipamd.jvm-flags"), "-Xmx64m # the heap\nMALLOC_ARENA_MAX=2\n");
        assertThat(launch(home)).isEqualTo("MALLOC_ARENA_MAX=2\n");

        Files.writeString(home.resolve("ipamd.jvm-flags"), "-Xmx64m\nmalloc_arena_max\n");
        assertThat(launch(home)).contains("'malloc_arena_max'", "neither a JVM flag nor NAME=VALUE", "exit 2");
    }

    /** The image's launcher run on the layout {@code home}: its output, and its exit code when not 0. */
    private static String launch(Path home) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("sh", root().resolve("deploy/image/ipamd").toString())
                .redirectErrorStream(true);
        builder.environment().put("IPAMD_HOME", home.toString());
        builder.environment().remove("MALLOC_ARENA_MAX");
        Process launcher = builder.start();
        String output = new String(launcher.getInputStream().readAllBytes());
        int exit = launcher.waitFor();
        return exit == 0 ? output : output + "exit " + exit;
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
