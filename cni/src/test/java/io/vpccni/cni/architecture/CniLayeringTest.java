package io.vpccni.cni.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.vpccni.netlink.testing.Layering;

/**
 * The layering that cni's package-info files state (docs/architecture.md, "Modules"; docs/plugin-startup.md): the
 * plugin depends on netlink and rpc only (no ipamd, no eni-manager, no library), and of netlink on the interface, its
 * errors and namespaces, with {@code KernelNetlink} as the one door to the kernel; no package cycle; {@code cni.spec}
 * is pure and never reads the environment; nothing in cni depends on {@code cni.server}.
 */
@AnalyzeClasses(packages = "io.vpccni.cni", importOptions = {
        ImportOption.DoNotIncludeTests.class, ImportOption.DoNotIncludeJars.class})
class CniLayeringTest {

    @ArchTest
    static final ArchRule noPackageCycles = Layering.noPackageCycles();

    @ArchTest
    static final ArchRule dependsOnNetlinkAndRpcOnly = classes().should().onlyDependOnClassesThat()
            .resideInAnyPackage("java..", "io.vpccni.cni..", "io.vpccni.rpc..", "io.vpccni.netlink..");

    @ArchTest
    static final ArchRule noIpamdOrEniManager = noClasses().should().dependOnClassesThat()
            .resideInAnyPackage("io.vpccni.ipamd..", "io.vpccni.eni..");

    @ArchTest
    static final ArchRule netlinkThroughItsInterface = noClasses().should().dependOnClassesThat(
            resideInAnyPackage("io.vpccni.netlink.message..", "io.vpccni.netlink.sys..", "io.vpccni.netlink.socket..")
                    .and(not(belongToAnyOf(io.vpccni.netlink.socket.KernelNetlink.class)))
                    .as("are netlink's internals"));

    @ArchTest
    static final ArchRule specIsPure = noClasses().that().resideInAPackage("io.vpccni.cni.spec..")
            .should().dependOnClassesThat(Layering.doingIo())
            .orShould().callMethod(System.class, "getenv")
            .orShould().callMethod(System.class, "getenv", String.class);

    /** The classes that package-info files call pure inside packages that do I/O. */
    @ArchTest
    static final ArchRule pureClassesDoNoIo = noClasses()
            .that().haveNameMatching("io\\.vpccni\\.cni\\.(dataplane\\.(Contract|PodAttachment)|log\\.LogTimestamp"
                    + "|server\\.PluginFrames)(\\$.*)?")
            .should().dependOnClassesThat(Layering.doingIo());

    @ArchTest
    static final ArchRule specDependsOnRpcAndTheIpv4TypesOnly = classes().that().resideInAPackage("io.vpccni.cni.spec..")
            .should().onlyDependOnClassesThat()
            .resideInAnyPackage("java..", "io.vpccni.cni.spec..", "io.vpccni.rpc.veth..", "io.vpccni.rpc.json..",
                    "io.vpccni.netlink.ip..");

    @ArchTest
    static final ArchRule nothingDependsOnThePluginServer = noClasses()
            .that().resideOutsideOfPackage("io.vpccni.cni.server..")
            .should().dependOnClassesThat().resideInAPackage("io.vpccni.cni.server..");
}
