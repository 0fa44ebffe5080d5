package io.vpccni.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The chart renders the same objects as the plain manifests. Needs helm (v3.16.4, installed by ./vpc-cni test with
 * {@code GOBIN=/opt/helm/bin go install helm.sh/helm/v3/cmd/helm@v3.16.4}); HELM overrides where it is.
 */
class HelmChartTest {

    static final String INSTALL = "GOBIN=/opt/helm/bin go install helm.sh/helm/v3/cmd/helm@v3.16.4";

    static Path helm() {
        Optional<Path> found = Stream.concat(
                        Stream.of(System.getenv("HELM"), "/opt/helm/bin/helm").filter(p -> p != null && !p.isBlank())
                                .map(Path::of),
                        Stream.of(System.getenv().getOrDefault("PATH", "").split(":")).map(d -> Path.of(d, "helm")))
                .filter(Files::isExecutable).findFirst();
        return found.orElseThrow(() -> new AssertionError("helm not found; install it: " + INSTALL));
    }

    static List<HasMetadata> render(String... extra) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(helm().toString(), "template", "vpc-cni",
                Manifests.DEPLOY.resolve("chart").toString(), "--namespace", "kube-system", "--include-crds"));
        command.addAll(List.of(extra));
        Processes.Result result = Processes.run(command, Map.of(), "");
        assertThat(result.exit()).as(result.stderr()).isZero();
        return Manifests.parse(result.stdout());
    }

    private static Map<String, String> byKindAndName(List<HasMetadata> objects) {
        return objects.stream().collect(Collectors.toMap(o -> o.getKind() + "/" + o.getMetadata().getName(),
                Serialization::asJson));
    }

    @Test
    void defaultValuesRenderExactlyThePlainManifests() throws Exception {
        Map<String, String> rendered = byKindAndName(render());
        Map<String, String> plain = byKindAndName(Manifests.all());

        assertThat(rendered.keySet()).isEqualTo(plain.keySet());
        plain.forEach((key, json) -> assertThat(Serialization.<Object>unmarshal(rendered.get(key), Object.class))
                .as(key).isEqualTo(Serialization.unmarshal(json, Object.class)));
    }

    @Test
    void valuesReachTheDaemonSet() throws Exception {
        DaemonSet ds = render("--set", "bandwidth.enabled=true", "--set", "env.WARM_IP_TARGET=5",
                "--set", "image.tag=1.2.3", "--set", "moveAwsNodeConflist=true").stream().filter(DaemonSet.class::isInstance).map(DaemonSet.class::cast)
                .findFirst().orElseThrow();
        var ipamd = ds.getSpec().getTemplate().getSpec().getContainers().getFirst();
        assertThat(ipamd.getCommand()).endsWith("--bandwidth");
        assertThat(ipamd.getImage()).endsWith(":1.2.3");
        Map<String, String> env = ipamd.getEnv().stream().filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(e -> e.getName(), e -> e.getValue()));
        assertThat(env).containsEntry("WARM_IP_TARGET", "5");
        assertThat(ds.getSpec().getTemplate().getSpec().getInitContainers().getFirst().getEnv()).singleElement()
                .satisfies(e -> assertThat(e.getName() + "=" + e.getValue()).isEqualTo("VPC_CNI_MOVE_AWS_CONFLIST=true"));
    }

    /**
     * enableNetworkPolicy=true renders the plain manifests plus deploy/manifests/network-policy/, with the agent's
     * switch on; with policyController.enabled=false (EKS, whose control plane writes the PolicyEndpoints) only the
     * agent's role is added.
     */
    @Test
    void enablingNetworkPolicyAddsExactlyTheNetworkPolicyManifests() throws Exception {
        List<HasMetadata> plain = new java.util.ArrayList<>(Manifests.all());
        plain.addAll(Manifests.networkPolicy());
        DaemonSet ds = plain.stream().filter(DaemonSet.class::isInstance).map(DaemonSet.class::cast).findFirst()
                .orElseThrow();
        ds.getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv().stream()
                .filter(e -> e.getName().equals("ENABLE_NETWORK_POLICY")).forEach(e -> e.setValue("true"));
        Map<String, String> rendered = byKindAndName(render("--set", "enableNetworkPolicy=true"));
        Map<String, String> expected = byKindAndName(plain);

        assertThat(rendered.keySet()).isEqualTo(expected.keySet());
        expected.forEach((key, json) -> assertThat(Serialization.<Object>unmarshal(rendered.get(key), Object.class))
                .as(key).isEqualTo(Serialization.unmarshal(json, Object.class)));

        Map<String, String> agentOnly = byKindAndName(render("--set", "enableNetworkPolicy=true",
                "--set", "policyController.enabled=false"));
        assertThat(agentOnly.keySet()).containsAll(byKindAndName(Manifests.all()).keySet())
                .contains("ClusterRole/vpc-cni-network-policy-agent")
                .noneMatch(k -> k.contains("policy-controller"));
    }

    /** env.VPC_CNI_EC2_BUDGET_LEASES=true renders the plain manifests with the variable on plus deploy/manifests/ec2-budget/. */
    @Test
    void theEc2BudgetOnLeasesAddsExactlyItsRole() throws Exception {
        List<HasMetadata> plain = new java.util.ArrayList<>(Manifests.all());
        plain.addAll(Manifests.ec2Budget());
        plain.stream().filter(DaemonSet.class::isInstance).map(DaemonSet.class::cast).findFirst().orElseThrow()
                .getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv().stream()
                .filter(e -> e.getName().equals("VPC_CNI_EC2_BUDGET_LEASES")).forEach(e -> e.setValue("true"));
        Map<String, String> rendered = byKindAndName(render("--set-string", "env.VPC_CNI_EC2_BUDGET_LEASES=true"));
        Map<String, String> expected = byKindAndName(plain);

        assertThat(rendered.keySet()).isEqualTo(expected.keySet()).contains("Role/vpc-cni-ec2-budget");
        expected.forEach((key, json) -> assertThat(Serialization.<Object>unmarshal(rendered.get(key), Object.class))
                .as(key).isEqualTo(Serialization.unmarshal(json, Object.class)));
    }

    /** pods/patch is granted exactly when the chart turns ANNOTATE_POD_IP on. */
    @Test
    void theClusterRoleFollowsAnnotatePodIp() throws Exception {
        for (String annotate : List.of("true", "false")) {
            List<HasMetadata> objects = render("--set", "env.ANNOTATE_POD_IP=" + annotate);
            var role = objects.stream().filter(io.fabric8.kubernetes.api.model.rbac.ClusterRole.class::isInstance)
                    .map(io.fabric8.kubernetes.api.model.rbac.ClusterRole.class::cast).findFirst().orElseThrow();
            DaemonSet ds = objects.stream().filter(DaemonSet.class::isInstance).map(DaemonSet.class::cast)
                    .findFirst().orElseThrow();
            assertThat(ManifestsTest.granted(role)).as("ANNOTATE_POD_IP=%s", annotate)
                    .isEqualTo(ManifestsTest.required(ds));
            assertThat(ManifestsTest.granted(role).contains(List.of("", "pods", "patch")))
                    .isEqualTo(annotate.equals("true"));
        }
    }
}
