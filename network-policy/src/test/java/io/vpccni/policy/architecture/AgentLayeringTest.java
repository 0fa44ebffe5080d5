package io.vpccni.policy.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.vpccni.netlink.testing.Layering;

/**
 * The node agent's layering, as its package-info files state (docs/network-policy.md): no package cycle; the
 * PolicyEndpoint records and the agent's model are pure, and so is the nft script renderer; only
 * {@code policy.agent.k8s} imports fabric8 among the agent's packages; the model knows nothing of nft or Kubernetes.
 */
@AnalyzeClasses(packages = "io.vpccni.policy", importOptions = {
        ImportOption.DoNotIncludeTests.class, ImportOption.DoNotIncludeJars.class})
class AgentLayeringTest {

    @ArchTest
    static final ArchRule noPackageCycles = Layering.noPackageCycles();

    @ArchTest
    static final ArchRule pureParts = noClasses().that().resideInAnyPackage("io.vpccni.policy.endpoint..",
                    "io.vpccni.policy.agent.model..")
            .or().haveFullyQualifiedName("io.vpccni.policy.agent.nft.NftScript")
            .or().haveFullyQualifiedName("io.vpccni.policy.agent.nft.DropCounters")
            .should().dependOnClassesThat(Layering.doingIo("io.fabric8.."));

    @ArchTest
    static final ArchRule modelDependsOnTheRecordsOnly = classes().that().resideInAPackage("io.vpccni.policy.agent.model..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.vpccni.policy.agent.model..",
                    "io.vpccni.policy.endpoint..");

    @ArchTest
    static final ArchRule onlyTheAgentsK8sPackageImportsFabric8 = noClasses()
            .that().resideInAPackage("io.vpccni.policy.agent..")
            .and().resideOutsideOfPackage("io.vpccni.policy.agent.k8s..")
            .should().dependOnClassesThat().resideInAPackage("io.fabric8..");
}
