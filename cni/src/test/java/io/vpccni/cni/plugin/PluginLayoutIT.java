package io.vpccni.cni.plugin;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** What package.sh builds around the launchers, checked file by file. */
class PluginLayoutIT {
    private static final Path HOME = Path.of(System.getProperty("vpccni.plugin")).getParent().getParent();

    private static Properties load(Path file) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        }
        return p;
    }

    @Test
    void launcherGivesJdkIncludeInExceptionsTheValueOfTheJdksJavaSecurity() throws IOException {
        String launcher = Files.readString(HOME.resolve("bin/vpc-cni-jvm"));
        String jdks = load(Path.of(System.getProperty("java.home"), "conf/security/java.security"))
                .getProperty("jdk.includeInExceptions");

        assertThat(jdks).isNotBlank();
        assertThat(launcher).contains(" -Djdk.includeInExceptions=" + jdks + " ");
    }

    /**
     * Every class a run loads comes from the AOT cache, and the cache holds nothing the plugin does not use
     * itself: with class linking each class in it is loaded at start, used or not (about 20 us each,
     * BENCHMARKS.md). The training once put the security providers in it (a temporary file's SecureRandom), and
     * invokedynamic string concatenation its factory and hidden classes.
     */
    @Test
    void aRunLoadsOnlyFromTheAotCacheWhichHoldsNoSecurityProvidersNorConcatenationFactory() throws Exception {
        Path classLog = Files.createTempFile("vpc-cni-classes-", ".log");
        try {
            ProcessBuilder run = new ProcessBuilder(HOME.resolve("bin/vpc-cni-jvm").toString());
            run.environment().put("CNI_COMMAND", "VERSION");
            run.environment().put("JAVA_TOOL_OPTIONS", "-Xlog:class+load=info:file=" + classLog);
            run.redirectErrorStream(true);
            Process p = run.start();
            p.getOutputStream().write("{\"cniVersion\":\"1.1.0\"}".getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(output).isZero();

            List<String> loads = Files.readAllLines(classLog).stream().filter(l -> l.contains("[class,load]")).toList();
            assertThat(loads).as("classes loaded").hasSizeGreaterThan(500)
                    .allSatisfy(l -> assertThat(l).contains("source: shared objects file"))
                    .noneMatch(l -> l.contains(" java.security.SecureRandom ") || l.contains(" sun.security.provider.")
                            || l.contains(" java.lang.invoke.StringConcatFactory "));
            assertThat(loads).anyMatch(l -> l.contains(" io.vpccni.cni.plugin.Main "));
        } finally {
            Files.deleteIfExists(classLog);
        }
    }

    @Test
    void launcherLoadsTheJniLibraryInstalledBesideTheJars() throws IOException {
        String launcher = Files.readString(HOME.resolve("bin/vpc-cni-jvm"));

        assertThat(launcher).contains("-Dvpccni.native.library=$h/lib/libvpccni-syscall.so");
        assertThat(HOME.resolve("lib/libvpccni-syscall.so")).isRegularFile();
    }

    /** The shim runs on the host, whatever its C library: statically linked, no program interpreter. */
    @Test
    void shimIsAStaticExecutable() throws IOException {
        byte[] shim = Files.readAllBytes(HOME.resolve("bin/vpc-cni"));

        assertThat(java.util.Arrays.copyOf(shim, 4)).isEqualTo(new byte[] {0x7f, 'E', 'L', 'F'});
        assertThat(new String(shim, StandardCharsets.ISO_8859_1)).doesNotContain("/lib64/ld-linux")
                .doesNotContain("/lib/ld-linux");
        assertThat(Files.isExecutable(HOME.resolve("bin/vpc-cni"))).isTrue();
    }
}
