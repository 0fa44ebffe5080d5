package io.vpccni.netlink.testing;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchRule;
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
     * Files, channels, sockets, processes, and {@code moreIo} (the module's own I/O: netlink, the SDK...). A
     * {@code Path} (a name, as configuration holds it) and an {@code InetAddress} built from a literal or bytes are
     * values, not I/O.
     */
    public static DescribedPredicate<JavaClass> doingIo(String... moreIo) {
        String[] packages = Stream.concat(
                Stream.of("java.io..", "java.nio.file..", "java.nio.channels..", "java.net.."),
                Arrays.stream(moreIo)).toArray(String[]::new);
        return resideInAnyPackage(packages)
                .or(belongToAnyOf(ProcessBuilder.class, Process.class))
                .and(not(belongToAnyOf(InetAddress.class, Inet4Address.class, Inet6Address.class,
                        UnknownHostException.class, Path.class)))
                .as("do I/O");
    }
}
