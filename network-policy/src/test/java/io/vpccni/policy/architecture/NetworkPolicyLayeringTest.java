package io.vpccni.policy.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.vpccni.netlink.testing.Layering;

/**
 * The layering network-policy's package-info files state: no package cycle; {@code policy.endpoint} (the resource's
 * records and codec) depends on the JDK only; {@code policy.resolve} is pure (fabric8's model types, never its
 * client) and knows nothing of the controller; the controller's plan is pure; only the controller's {@code Main}
 * reads the environment or exits. The node agent's side: its model ({@code policy.agent.model}) and the nft script
 * renderer are pure, the model knows nothing of nft or Kubernetes, and only {@code policy.agent.k8s} imports fabric8
 * among the agent's packages.
 */
@AnalyzeClasses(packages = "io.vpccni.policy", importOptions = {
        ImportOption.DoNotIncludeTests.class, ImportOption.DoNotIncludeJars.class})
class NetworkPolicyLayeringTest {

    private static final String[] CLIENT = {"io.fabric8.kubernetes.client.."};

    @ArchTest
    static final ArchRule noPackageCycles = Layering.noPackageCycles();

    @ArchTest
    static final ArchRule endpointDependsOnTheJdkOnly = classes().that().resideInAPackage("io.vpccni.policy.endpoint..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.vpccni.policy.endpoint..");

    @ArchTest
    static final ArchRule resolutionIsPure = noClasses().that().resideInAPackage("io.vpccni.policy.resolve..")
            .should().dependOnClassesThat(Layering.doingIo(CLIENT))
            .orShould().dependOnClassesThat().resideInAPackage("io.vpccni.policy.controller..");

    @ArchTest
    static final ArchRule thePlanIsPure = noClasses().that()
            .haveNameMatching("io\\.vpccni\\.policy\\.controller\\.(EndpointPlan|ExistingEndpoint)(\\$.*)?")
            .should().dependOnClassesThat(Layering.doingIo(CLIENT));

    @ArchTest
    static final ArchRule onlyTheControllersMainReadsTheEnvironmentOrExits = noClasses()
            .that().resideInAnyPackage("io.vpccni.policy.endpoint..", "io.vpccni.policy.resolve..",
                    "io.vpccni.policy.controller..")
            .and().doNotHaveFullyQualifiedName("io.vpccni.policy.controller.Main")
            .should().callMethod(System.class, "getenv")
            .orShould().callMethod(System.class, "getenv", String.class)
            .orShould().callMethod(System.class, "exit", int.class);

    @ArchTest
    static final ArchRule pureParts = noClasses().that().resideInAnyPackage("io.vpccni.policy.endpoint..",
                    "io.vpccni.policy.agent.model..")
            .or().haveFullyQualifiedName("io.vpccni.policy.agent.nft.NftScript")
            .or().haveFullyQualifiedName("io.vpccni.policy.agent.nft.DropCounters")
            .should().dependOnClassesThat(Layering.doingIo("io.fabric8.."));

    @ArchTest
    static final ArchRule modelDependsOnTheRecordsOnly = classes().that().resideInAPackage("io.vpccni.policy.agent.model..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.vpccni.policy.agent.model..",
                    "io.vpccni.policy.endpoint..", "io.vpccni.netlink.ip..");

    /** netlink's pure IPv4 values, nothing of its kernel side: the controller runs without netlink's JNI library. */
    @ArchTest
    static final ArchRule ofNetlinkOnlyTheIpv4Types = noClasses().should().dependOnClassesThat(
            resideInAPackage("io.vpccni.netlink..").and(not(resideInAPackage("io.vpccni.netlink.ip.."))));

    @ArchTest
    static final ArchRule onlyTheAgentsK8sPackageImportsFabric8 = noClasses()
            .that().resideInAPackage("io.vpccni.policy.agent..")
            .and().resideOutsideOfPackage("io.vpccni.policy.agent.k8s..")
            .should().dependOnClassesThat().resideInAPackage("io.fabric8..");
}
