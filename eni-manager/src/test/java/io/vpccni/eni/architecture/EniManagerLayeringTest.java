package io.vpccni.eni.architecture;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.vpccni.netlink.testing.Layering;

/**
 * The layering that eni-manager's package-info files state (docs/architecture.md, "Modules", "EC2"): it knows nothing
 * of ipamd, the plugin, Kubernetes or Linux networking; only {@code eni.aws} and {@code eni.imds} see the AWS SDK, and
 * none uses the SDK's EC2 client;
 * {@code eni.port} is interfaces; {@code eni.model} and {@code eni.error} are pure, and the packages that reach EC2
 * through the port ({@code guard}, {@code leak}, {@code lifecycle}, {@code limits}, {@code subnet}) do no I/O of their
 * own; no package cycle.
 */
@AnalyzeClasses(packages = "io.vpccni.eni", importOptions = {
        ImportOption.DoNotIncludeTests.class, ImportOption.DoNotIncludeJars.class})
class EniManagerLayeringTest {

    @ArchTest
    static final ArchRule noPackageCycles = Layering.noPackageCycles();

    @ArchTest
    static final ArchRule knowsNothingOfTheNode = noClasses().should().dependOnClassesThat().resideInAnyPackage(
            "io.vpccni.ipamd..", "io.vpccni.cni..", "io.vpccni.rpc..", "io.vpccni.netlink..", "io.fabric8..");

    @ArchTest
    static final ArchRule onlyTheAdaptersSeeTheSdk = noClasses()
            .that().resideOutsideOfPackages("io.vpccni.eni.aws..", "io.vpccni.eni.imds..")
            .should().dependOnClassesThat().resideInAPackage("software.amazon..");

    /** ipamd's EC2 client is its own (eni.aws.Ec2QueryClient says why): the SDK's EC2 client and model stay out. */
    @ArchTest
    static final ArchRule noSdkEc2Client = noClasses().should().dependOnClassesThat()
            .resideInAPackage("software.amazon.awssdk.services.ec2..");

    @ArchTest
    static final ArchRule portsAreInterfaces = classes()
            .that().resideInAPackage("io.vpccni.eni.port..").and().areTopLevelClasses()
            .should().beInterfaces();

    @ArchTest
    static final ArchRule pureAndPortUsingPackagesDoNoIo = noClasses().that().resideInAnyPackage(
                    "io.vpccni.eni.model..", "io.vpccni.eni.error..", "io.vpccni.eni.port..",
                    "io.vpccni.eni.guard..", "io.vpccni.eni.leak..", "io.vpccni.eni.lifecycle..",
                    "io.vpccni.eni.limits..", "io.vpccni.eni.subnet..")
            .should().dependOnClassesThat(Layering.doingIo("software.amazon.."));

    @ArchTest
    static final ArchRule theGuardDoesNotKnowItsCallers = noClasses()
            .that().resideInAPackage("io.vpccni.eni.guard..")
            .should().dependOnClassesThat().resideInAnyPackage("io.vpccni.eni.aws..", "io.vpccni.eni.imds..");
}
