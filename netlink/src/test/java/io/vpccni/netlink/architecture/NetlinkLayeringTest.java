package io.vpccni.netlink.architecture;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.vpccni.netlink.testing.Layering;

/**
 * The layering that netlink's package-info files state (docs/architecture.md, "Modules"): netlink is the bottom of
 * the module graph and depends on the JDK alone; its packages form no cycle; {@code error}, {@code message} and
 * {@code ip} are pure; {@code message} is {@code socket}'s alone.
 */
@AnalyzeClasses(packages = "io.vpccni.netlink", importOptions = {
        ImportOption.DoNotIncludeTests.class, ImportOption.DoNotIncludeJars.class})
class NetlinkLayeringTest {

    @ArchTest
    static final ArchRule noPackageCycles = Layering.noPackageCycles();

    @ArchTest
    static final ArchRule dependsOnTheJdkOnly = classes().should().onlyDependOnClassesThat()
            .resideInAnyPackage("java..", "io.vpccni.netlink..");

    @ArchTest
    static final ArchRule purePackagesDoNoIo = noClasses()
            .that().resideInAnyPackage("io.vpccni.netlink.error..", "io.vpccni.netlink.message..",
                    "io.vpccni.netlink.ip..")
            .should().dependOnClassesThat(Layering.doingIo());

    @ArchTest
    static final ArchRule messagesAreTheSocketsOnly = classes()
            .that().resideInAPackage("io.vpccni.netlink.message..")
            .should().onlyHaveDependentClassesThat()
            .resideInAnyPackage("io.vpccni.netlink.message..", "io.vpccni.netlink.socket..");

    @ArchTest
    static final ArchRule theInterfaceDoesNotKnowItsImplementation = noClasses()
            .that().resideInAPackage("io.vpccni.netlink.api..")
            .should().dependOnClassesThat().resideInAPackage("io.vpccni.netlink.socket..");
}
