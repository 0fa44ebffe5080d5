package io.vpccni.it.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.vpccni.ipamd.app.NodeDaemon;
import io.vpccni.ipamd.k8s.EniConfig;
import io.vpccni.ipamd.pool.GrowBlocked;
import io.vpccni.ipamd.pool.NodeEni;
import io.vpccni.it.ScratchDirectory;
import io.vpccni.it.imds.TestImds;
import io.vpccni.it.localstack.LocalStack;
import io.vpccni.it.localstack.TestVpc;
import io.vpccni.netlink.testing.ClosedAfterAll;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.GroupIdentifier;
import software.amazon.awssdk.services.ec2.model.NetworkInterface;

/**
 * Custom networking end to end with the real daemon: the node and its ENIConfig on fabric8's mock API server,
 * EC2 in the emulator. New ENIs go into the ENIConfig's subnet with its security groups; without a usable
 * ENIConfig no ENI is created anywhere.
 */
@ExtendWith(ClosedAfterAll.class) // before the mock server: closes the daemons after it has stopped
@EnableKubernetesMockClient(crud = true)
class CustomNetworkingTest {

    static final String NODE = "ip-10-0-0-1.ec2.internal";
    static final String LABEL = "k8s.amazonaws.com/eniConfig";
    static final ResourceDefinitionContext ENI_CONFIGS = new ResourceDefinitionContext.Builder()
            .withGroup(EniConfig.GROUP).withVersion(EniConfig.VERSION).withKind(EniConfig.KIND)
            .withPlural(EniConfig.PLURAL).withNamespaced(false).build();

    KubernetesClient client;
    ClosedAfterAll.Later later;
    final Ec2Client raw = LocalStack.rawClient();
    TestVpc vpc;
    String podSubnet;
    String podGroup;
    TestImds imds;
    NodeDaemon daemon;
    Path dir;

    @BeforeEach
    void nodeWithTwoSubnets() {
        vpc = TestVpc.create(raw);
        String primarySubnet = vpc.subnet(0, Map.of());
        podSubnet = vpc.subnet(1, Map.of());
        podGroup = raw.createSecurityGroup(b -> b.vpcId(vpc.vpcId()).groupName("pods-" + vpc.vpcId())
                .description("pod ENIs")).groupId();
        imds = TestImds.start(raw, vpc.instance(primarySubnet, "m5.large").instanceId());
        client.apiextensions().v1().customResourceDefinitions().resource(new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName(EniConfig.PLURAL + "." + EniConfig.GROUP).endMetadata()
                .withNewSpec().withGroup(EniConfig.GROUP).withScope("Cluster")
                .withNewNames().withKind(EniConfig.KIND).withPlural(EniConfig.PLURAL).endNames()
                .addNewVersion().withName(EniConfig.VERSION).withServed(true).withStorage(true).endVersion()
                .endSpec().build()).create();
    }

    /** Each test's daemon, directory, IMDS and VPC, closed in that order once the mock server has stopped. */
    @AfterEach
    void keepForLater() {
        later.add(vpc);
        later.add(imds);
        if (dir != null) {
            Path used = dir;
            later.add(() -> ScratchDirectory.delete(used));
        }
        if (daemon != null) {
            later.add(daemon);
        }
    }

    private void node(String eniConfig) {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(NODE).withLabels(Map.of(LABEL, eniConfig))
                .endMetadata().build()).create();
    }

    private void eniConfig(String name, Map<String, Object> spec) {
        client.genericKubernetesResources(ENI_CONFIGS).resource(new GenericKubernetesResourceBuilder()
                .withApiVersion(EniConfig.GROUP + "/" + EniConfig.VERSION).withKind(EniConfig.KIND)
                .withNewMetadata().withName(name).endMetadata().addToAdditionalProperties("spec", spec).build()).create();
    }

    private void startDaemon() throws Exception {
        dir = ScratchDirectory.create("vpccni-k8s");
        daemon = LinkedDaemon.start(client, NODE, imds, dir, Map.of("AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG", "true"));
    }

    private void tickUntil(BooleanSupplier condition, int ticks) throws InterruptedException {
        for (int i = 0; i < ticks && !condition.getAsBoolean(); i++) {
            long seen = daemon.maintainer().tickCount();
            daemon.maintainer().wake();
            daemon.maintainer().awaitTickAfter(seen, Duration.ofSeconds(30));
            Thread.sleep(100); // the node and ENIConfig informers fill in the background
        }
    }

    @Test
    void newEnisGoIntoTheEniConfigsSubnetWithItsSecurityGroups() throws Exception {
        eniConfig("pods-a", Map.of("subnet", podSubnet, "securityGroups", List.of(podGroup)));
        node("pods-a");
        startDaemon();

        tickUntil(() -> daemon.view().enis().size() == 2 && daemon.view().poolStats().total() > 0, 50);

        NodeEni secondary = daemon.view().enis().stream().filter(e -> !e.primary()).findFirst().orElseThrow();
        NetworkInterface inEc2 = raw.describeNetworkInterfaces(b -> b.networkInterfaceIds(secondary.id()))
                .networkInterfaces().getFirst();
        assertThat(inEc2.subnetId()).isEqualTo(podSubnet);
        // The emulator lists an attached ENI with its instance's groups added; its group-id filter sees the ENI's own.
        assertThat(inEc2.groups()).extracting(GroupIdentifier::groupId).contains(podGroup);
        assertThat(enisInGroup(secondary.id(), podGroup)).isOne();
        assertThat(enisInGroup(secondary.id(), vpc.securityGroupId())).as("the primary ENI's group").isZero();
        assertThat(daemon.view().poolStats().enis()).allSatisfy(eni -> assertThat(eni.eni().primary() && eni.total() > 0)
                .as("the primary ENI gives no pod addresses").isFalse());
    }

    private int enisInGroup(String eniId, String groupId) {
        return raw.describeNetworkInterfaces(b -> b.networkInterfaceIds(eniId)
                .filters(f -> f.name("group-id").values(groupId))).networkInterfaces().size();
    }

    @Test
    void missingEniConfigCreatesNoEniAnywhereAndSaysWhy() throws Exception {
        node("pods-nowhere");
        startDaemon();

        tickUntil(() -> daemon.view().lastGrowFailure().filter(f -> f.message().contains("pods-nowhere")).isPresent(), 50);

        assertThat(daemon.view().lastGrowFailure()).get().extracting(GrowBlocked::kind).isEqualTo(GrowBlocked.Kind.NO_PLACEMENT);
        assertThat(daemon.view().lastGrowFailure().get().message()).contains("ENIConfig pods-nowhere");
        assertThat(daemon.view().enis()).hasSize(1);
        assertThat(daemon.view().ec2Calls().calls("CreateNetworkInterface")).isZero();
    }
}
