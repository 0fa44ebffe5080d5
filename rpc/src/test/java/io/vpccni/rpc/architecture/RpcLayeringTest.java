package io.vpccni.rpc.architecture;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.vpccni.netlink.testing.Layering;
import io.vpccni.rpc.HostVethName;
import io.vpccni.rpc.IpamCodec;
import io.vpccni.rpc.IpamReply;
import io.vpccni.rpc.IpamRequest;
import io.vpccni.rpc.ReasonCode;

/**
 * The layering that rpc's package-info files state (docs/architecture.md, "Modules"): the CNI plugin carries rpc, so
 * it depends on netlink's {@code sys} and {@code error} only (the client's socket calls, and recvmsg for a
 * descriptor passed to a server, {@code PassedDescriptor}) and on no library and no
 * ipamd, cni or eni-manager code; no package cycle; {@code rpc.json} is pure.
 */
@AnalyzeClasses(packages = "io.vpccni.rpc", importOptions = {
        ImportOption.DoNotIncludeTests.class, ImportOption.DoNotIncludeJars.class})
class RpcLayeringTest {

    @ArchTest
    static final ArchRule noPackageCycles = Layering.noPackageCycles();

    @ArchTest
    static final ArchRule dependsOnNetlinksSystemCallsOnly = classes().should().onlyDependOnClassesThat()
            .resideInAnyPackage("java..", "io.vpccni.rpc..", "io.vpccni.netlink.sys..", "io.vpccni.netlink.error..",
                    "io.vpccni.netlink.ip..");

    @ArchTest
    static final ArchRule noIpamdCniOrEniManager = noClasses().should().dependOnClassesThat()
            .resideInAnyPackage("io.vpccni.ipamd..", "io.vpccni.cni..", "io.vpccni.eni..");

    @ArchTest
    static final ArchRule jsonIsPure = noClasses().that().resideInAPackage("io.vpccni.rpc.json..")
            .should().dependOnClassesThat(Layering.doingIo());

    @ArchTest
    static final ArchRule messagesCodecAndVethNameArePure = noClasses()
            .that().implement(IpamRequest.class).or().implement(IpamReply.class)
            .or().belongToAnyOf(
                    IpamRequest.class, IpamReply.class, ReasonCode.class, IpamCodec.class, HostVethName.class)
            .should().dependOnClassesThat(Layering.doingIo());

    /** The client's socket calls; the server side's recvmsg for a descriptor passed with a request. */
    @ArchTest
    static final ArchRule onlyTheClientAndPassedDescriptorsMakeSystemCalls = noClasses()
            .that().doNotHaveFullyQualifiedName("io.vpccni.rpc.IpamClient")
            .and().doNotHaveFullyQualifiedName("io.vpccni.rpc.PassedDescriptor")
            .should().dependOnClassesThat().resideInAPackage("io.vpccni.netlink.sys..");
}
