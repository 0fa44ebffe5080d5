package io.vpccni.cni.plugin;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** What package.sh builds around the launcher, checked file by file. */
class PluginLayoutIT {
    private static final Path HOME = Path.of(System.getProperty("vpccni.launcher")).getParent().getParent();

    private static Properties load(Path file) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        }
        return p;
    }

    @Test
    void launcherGivesJdkIncludeInExceptionsTheValueOfTheJdksJavaSecurity() throws IOException {
        String launcher = Files.readString(HOME.resolve("bin/vpc-cni"));
        String jdks = load(Path.of(System.getProperty("java.home"), "conf/security/java.security"))
                .getProperty("jdk.includeInExceptions");

        assertThat(jdks).isNotBlank();
        assertThat(launcher).contains(" -Djdk.includeInExceptions=" + jdks + " ");
    }

    @Test
    void launcherLoadsTheJniLibraryInstalledBesideTheJars() throws IOException {
        String launcher = Files.readString(HOME.resolve("bin/vpc-cni"));

        assertThat(launcher).contains("-Dvpccni.native.library=$h/lib/libvpccni-syscall.so");
        assertThat(HOME.resolve("lib/libvpccni-syscall.so")).isRegularFile();
    }
}
