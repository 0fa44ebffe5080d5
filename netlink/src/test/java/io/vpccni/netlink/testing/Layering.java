package io.vpccni.netlink.testing;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.name;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchRule;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

/**
 * The rules every module's layering test shares (each module has one, {@code *LayeringTest}, checking what its
 * package-info files state): no cycle between packages, and what "pure" and "no I/O of its own" mean.
 */
public final class Layering {

    private Layering() {}

    /** Each package is a slice: no package may reach itself through others. */
    public static ArchRule noPackageCycles() {
        return slices().matching("io.vpccni.(**)").should().beFreeOfCycles();
    }

    /**
     * Files, channels, sockets, processes, the kernel through netlink (its system calls, sockets, namespaces and the
     * {@code Netlink} interface), and {@code moreIo} (the SDK, fabric8...). A {@code Path} (a name, as configuration
     * holds it), an {@code InetAddress} built from a literal or bytes and netlink's value types are values, not I/O;
     * byte-array streams stay in memory, and an {@code IOException} is a type that APIs such as Jackson's declare.
     */
    public static DescribedPredicate<JavaClass> doingIo(String... moreIo) {
        String[] packages = Stream.concat(
                Stream.of("java.io..", "java.nio.file..", "java.nio.channels..", "java.net..",
                        "io.vpccni.netlink.sys..", "io.vpccni.netlink.socket..", "io.vpccni.netlink.ns.."),
                Arrays.stream(moreIo)).toArray(String[]::new);
        return resideInAnyPackage(packages)
                .or(belongToAnyOf(ProcessBuilder.class, Process.class))
                // By name: eni-manager's test class path has this test jar but not netlink itself.
                .or(name("io.vpccni.netlink.api.Netlink"))
                .and(not(belongToAnyOf(InetAddress.class, Inet4Address.class, Inet6Address.class,
                        UnknownHostException.class, Path.class, ByteArrayInputStream.class, ByteArrayOutputStream.class,
                        IOException.class, UncheckedIOException.class)))
                .as("do I/O");
    }
}
