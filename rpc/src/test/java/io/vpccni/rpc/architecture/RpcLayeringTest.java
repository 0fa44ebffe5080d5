package io.vpccni.rpc.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.vpccni.netlink.testing.Layering;

/**
 * The layering that rpc's package-info files state (docs/architecture.md, "Modules"): the CNI plugin carries rpc, so
 * it depends on netlink's {@code sys} and {@code error} only (the client's socket calls, and recvmsg for a
 * descriptor passed to a server, {@code PassedDescriptor}) and {@code ip} (the messages' address checks), on no
 * library and no ipamd, cni or eni-manager code; no package cycle. Inside: {@code message} at the bottom,
 * {@code codec} over it, {@code transport} over the codec and the shared {@code unix} server; {@code json},
 * {@code veth} and {@code log} stand alone.
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
    static final ArchRule messagesAtTheBottom = classes().that().resideInAPackage("io.vpccni.rpc.message..")
            .should().onlyDependOnClassesThat().resideInAnyPackage(
                    "java..", "io.vpccni.rpc.message..", "io.vpccni.netlink.ip..");

    @ArchTest
    static final ArchRule codecOverMessagesAndJson = classes().that().resideInAPackage("io.vpccni.rpc.codec..")
            .should().onlyDependOnClassesThat().resideInAnyPackage(
                    "java..", "io.vpccni.rpc.codec..", "io.vpccni.rpc.message..", "io.vpccni.rpc.json..");

    @ArchTest
    static final ArchRule transportOverCodecAndTheUnixServer = classes()
            .that().resideInAPackage("io.vpccni.rpc.transport..")
            .should().onlyDependOnClassesThat().resideInAnyPackage(
                    "java..", "io.vpccni.rpc.transport..", "io.vpccni.rpc.codec..", "io.vpccni.rpc.message..",
                    "io.vpccni.rpc.unix..", "io.vpccni.netlink.sys..", "io.vpccni.netlink.error..");

    /** Bytes in, bytes out: the shared server knows no message format, so cni's plugin server can use it too. */
    @ArchTest
    static final ArchRule unixServerKnowsNoProtocol = classes().that().resideInAPackage("io.vpccni.rpc.unix..")
            .should().onlyDependOnClassesThat().resideInAnyPackage(
                    "java..", "io.vpccni.rpc.unix..", "io.vpccni.netlink.sys..", "io.vpccni.netlink.error..");

    @ArchTest
    static final ArchRule jsonVethAndLogStandAlone = classes()
            .that().resideInAnyPackage("io.vpccni.rpc.json..", "io.vpccni.rpc.veth..", "io.vpccni.rpc.log..")
            .should().onlyDependOnClassesThat().resideInAnyPackage(
                    "java..", "io.vpccni.rpc.json..", "io.vpccni.rpc.veth..", "io.vpccni.rpc.log..");

    @ArchTest
    static final ArchRule pureOnesDoNoIo = noClasses().that().resideInAnyPackage("io.vpccni.rpc.message..",
                    "io.vpccni.rpc.codec..", "io.vpccni.rpc.json..", "io.vpccni.rpc.veth..", "io.vpccni.rpc.log..")
            .should().dependOnClassesThat(Layering.doingIo());

    /** The client's socket calls; the server side's recvmsg for a descriptor passed with a request. */
    @ArchTest
    static final ArchRule onlyTheClientAndPassedDescriptorsMakeSystemCalls = noClasses()
            .that().doNotHaveFullyQualifiedName("io.vpccni.rpc.transport.IpamClient")
            .and().doNotHaveFullyQualifiedName("io.vpccni.rpc.unix.PassedDescriptor")
            .should().dependOnClassesThat().resideInAPackage("io.vpccni.netlink.sys..");
}
