package io.vpccni.ipamd.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaCall.Predicates.target;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaConstructor.CONSTRUCTOR_NAME;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.name;
import static com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.vpccni.cni.server.PluginServer;
import io.vpccni.eni.aws.AwsEc2Api;
import io.vpccni.ipamd.introspect.IntrospectionServer;
import io.vpccni.ipamd.k8s.KubernetesLink;
import io.vpccni.ipamd.pool.PoolMaintainer;
import io.vpccni.ipamd.reconcile.EniSync;
import io.vpccni.ipamd.rpc.IpamHandler;
import io.vpccni.netlink.testing.Layering;
import io.vpccni.rpc.transport.IpamServer;

/**
 * The layering that ipamd's package-info files state (docs/architecture.md, "Packages"): no package cycle; the pure
 * packages ({@code datastore}, {@code config}, {@code warmpool}, {@code metrics}) do no I/O, read no environment and
 * keep to their stated dependencies; {@code reconcile} does no I/O of its own; only {@code ipamd.k8s} imports
 * fabric8's client; only the entry points read the environment or exit; the checkpoint's format knows nothing of the
 * datastore; netlink is used through its interface, with {@code KernelNetlink} as the door to the kernel.
 */
@AnalyzeClasses(packages = "io.vpccni.ipamd", importOptions = {
        ImportOption.DoNotIncludeTests.class, ImportOption.DoNotIncludeJars.class})
class IpamdLayeringTest {

    /** What ipamd reaches besides files, sockets and the kernel: AWS and the API server. */
    private static final String[] IO_ELSEWHERE =
            {"software.amazon..", "io.fabric8..", "io.vpccni.eni.aws..", "io.vpccni.eni.imds.."};

    @ArchTest
    static final ArchRule noPackageCycles = Layering.noPackageCycles();

    @ArchTest
    static final ArchRule purePackagesDoNoIo = noClasses().that().resideInAnyPackage(
                    "io.vpccni.ipamd.datastore..", "io.vpccni.ipamd.config..", "io.vpccni.ipamd.warmpool..",
                    "io.vpccni.ipamd.metrics..", "io.vpccni.ipamd.reconcile..")
            .should().dependOnClassesThat(Layering.doingIo(IO_ELSEWHERE));

    /** The classes that package-info files call pure inside packages that do I/O. */
    @ArchTest
    static final ArchRule pureClassesDoNoIo = noClasses().that().haveNameMatching("io\\.vpccni\\.ipamd\\.("
                    + "introspect\\.(PoolView|EnisView|ConfigView|IpamMetrics)"
                    + "|checkpoint\\.(Checkpoint|CheckpointEntry|CooldownEntry|CheckpointJson)"
                    + "|status\\.Warnings|hostnet\\.(EniLayout|SnatRules|IptablesPlan))(\\$.*)?")
            .should().dependOnClassesThat(Layering.doingIo(IO_ELSEWHERE));

    @ArchTest
    static final ArchRule datastoreDependsOnNothingElse = classes()
            .that().resideInAPackage("io.vpccni.ipamd.datastore..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.vpccni.ipamd.datastore..",
                    "io.vpccni.netlink.ip..");

    @ArchTest
    static final ArchRule metricsDependOnNothingElse = classes()
            .that().resideInAPackage("io.vpccni.ipamd.metrics..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.vpccni.ipamd.metrics..");

    @ArchTest
    static final ArchRule warmPoolDependsOnDatastoreAndConfigOnly = classes()
            .that().resideInAPackage("io.vpccni.ipamd.warmpool..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.vpccni.ipamd.warmpool..",
                    "io.vpccni.ipamd.datastore..", "io.vpccni.ipamd.config..", "io.vpccni.netlink.ip..");

    @ArchTest
    static final ArchRule warmPoolHasNoClockOrThreadsOfItsOwn = noClasses()
            .that().resideInAPackage("io.vpccni.ipamd.warmpool..")
            .should().dependOnClassesThat(belongToAnyOf(java.time.Clock.class, Thread.class))
            .orShould().callMethod(System.class, "currentTimeMillis")
            .orShould().callMethod(System.class, "nanoTime")
            .orShould().callMethod(java.time.Instant.class, "now");

    @ArchTest
    static final ArchRule onlyEntryPointsReadTheEnvironmentOrExit = noClasses()
            .that().doNotHaveFullyQualifiedName("io.vpccni.ipamd.app.Main")
            .and().doNotHaveFullyQualifiedName("io.vpccni.ipamd.status.NodeStatusCommand")
            .should().callMethod(System.class, "getenv")
            .orShould().callMethod(System.class, "getenv", String.class)
            .orShould().callMethod(System.class, "exit", int.class);

    /** One composition root: the daemon's parts are built in NodeDaemon and nowhere else in ipamd. */
    @ArchTest
    static final ArchRule onlyTheCompositionRootComposesTheDaemon = noClasses()
            .that().doNotHaveFullyQualifiedName("io.vpccni.ipamd.app.NodeDaemon")
            .and().doNotBelongToAnyOf(IpamHandler.class, PoolMaintainer.class) // their constructors delegate to one another
            .should().callCodeUnitWhere(target(owner(oneOf(PoolMaintainer.class, IpamHandler.class, EniSync.class,
                    AwsEc2Api.class))).and(target(name(CONSTRUCTOR_NAME))))
            .orShould().callCodeUnitWhere(target(owner(oneOf(IpamServer.class, PluginServer.class,
                    IntrospectionServer.class))).and(target(name("start"))))
            .orShould().callCodeUnitWhere(target(owner(oneOf(KubernetesLink.class))).and(target(name("inCluster"))));

    /** Exactly these classes, not their nested ones (a maintainer may build its own records). */
    private static com.tngtech.archunit.base.DescribedPredicate<com.tngtech.archunit.core.domain.JavaClass> oneOf(
            Class<?>... types) {
        java.util.Set<String> names = java.util.Arrays.stream(types).map(Class::getName)
                .collect(java.util.stream.Collectors.toSet());
        return com.tngtech.archunit.base.DescribedPredicate.describe("one of " + names,
                c -> names.contains(c.getName()));
    }

    @ArchTest
    static final ArchRule onlyK8sImportsFabric8 = noClasses()
            .that().resideOutsideOfPackage("io.vpccni.ipamd.k8s..")
            .should().dependOnClassesThat().resideInAPackage("io.fabric8.kubernetes.client..");

    @ArchTest
    static final ArchRule checkpointKnowsNothingOfTheDatastore = noClasses()
            .that().resideInAPackage("io.vpccni.ipamd.checkpoint..")
            .should().dependOnClassesThat().resideInAPackage("io.vpccni.ipamd.datastore..");

    @ArchTest
    static final ArchRule netlinkThroughItsInterface = noClasses().should().dependOnClassesThat(
            resideInAnyPackage("io.vpccni.netlink.message..", "io.vpccni.netlink.sys..", "io.vpccni.netlink.socket..")
                    .and(not(belongToAnyOf(io.vpccni.netlink.socket.KernelNetlink.class)))
                    .as("are netlink's internals"));
}
