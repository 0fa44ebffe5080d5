package io.vpccni.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.vpccni.policy.controller.ControllerPermissions;
import io.vpccni.policy.endpoint.Direction;
import io.vpccni.policy.endpoint.PeerRule;
import io.vpccni.policy.endpoint.PodEndpoint;
import io.vpccni.policy.endpoint.PolicyEndpoint;
import io.vpccni.policy.endpoint.PolicyEndpointCodec;
import io.vpccni.policy.endpoint.PolicyPort;
import io.vpccni.policy.endpoint.PolicyRef;
import io.vpccni.policy.endpoint.Protocol;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Network policy's objects: the PolicyEndpoint CRD against the records, the controller's Deployment and RBAC against
 * the code, the agent's one extra permission, and the DaemonSet's switch, off by default.
 */
class NetworkPolicyManifestsTest {

    static final String CONTROLLER = "vpc-cni-policy-controller";

    static <T extends HasMetadata> T named(List<HasMetadata> objects, Class<T> type, String name) {
        return objects.stream().filter(type::isInstance).map(type::cast)
                .filter(o -> o.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
    }

    static Set<List<String>> triples(List<ControllerPermissions.Rule> rules) {
        Set<List<String>> out = new HashSet<>();
        rules.forEach(r -> r.verbs().forEach(v -> out.add(List.of(r.apiGroup(), r.resource(), v))));
        return out;
    }

    static Set<List<String>> granted(List<PolicyRule> rules) {
        Set<List<String>> out = new HashSet<>();
        rules.forEach(rule -> {
            assertThat(rule.getResourceNames()).isNullOrEmpty();
            rule.getApiGroups().forEach(g -> rule.getResources().forEach(r ->
                    rule.getVerbs().forEach(v -> out.add(List.of(g, r, v)))));
        });
        return out;
    }

    @Test
    void theNetworkPolicyManifestsAreTheControllerItsRbacAndTheAgentsRole() {
        assertThat(Manifests.networkPolicy()).extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
                .containsExactlyInAnyOrder("ServiceAccount/" + CONTROLLER, "ClusterRole/" + CONTROLLER,
                        "ClusterRoleBinding/" + CONTROLLER, "Role/" + CONTROLLER, "RoleBinding/" + CONTROLLER,
                        "Deployment/" + CONTROLLER, "ClusterRole/vpc-cni-network-policy-agent",
                        "ClusterRoleBinding/vpc-cni-network-policy-agent");
    }

    /** A PolicyEndpoint with every field set, as our codec writes it: every key must be in the CRD's schema. */
    @Test
    void thePolicyEndpointCrdHasExactlyTheFieldsOfTheRecords() {
        CustomResourceDefinition crd = named(Manifests.all(), CustomResourceDefinition.class,
                PolicyEndpoint.PLURAL + "." + PolicyEndpoint.GROUP);
        var spec = crd.getSpec();
        assertThat(spec.getGroup()).isEqualTo(PolicyEndpoint.GROUP);
        assertThat(spec.getNames().getKind()).isEqualTo(PolicyEndpoint.KIND);
        assertThat(spec.getNames().getPlural()).isEqualTo(PolicyEndpoint.PLURAL);
        assertThat(spec.getScope()).isEqualTo("Namespaced");
        JSONSchemaProps schema = spec.getVersions().stream().filter(v -> v.getName().equals(PolicyEndpoint.VERSION))
                .findFirst().orElseThrow().getSchema().getOpenAPIV3Schema().getProperties().get("spec");

        List<PeerRule> rules = List.of(new PeerRule("10.0.0.0/16", List.of("10.0.3.0/24"),
                List.of(PolicyPort.range(Protocol.TCP, 80, 81)), "Allow"));
        PolicyEndpoint full = new PolicyEndpoint("x", "p-1", new PolicyRef("x", "p"),
                Map.of("matchLabels", Map.of("pod", "a"), "matchExpressions",
                        List.of(Map.of("key", "pod", "operator", "In", "values", List.of("a")))),
                List.of(new PodEndpoint("10.0.0.1", "10.0.1.10", "a", "x")),
                Set.of(Direction.INGRESS, Direction.EGRESS), rules, rules, true, 7);

        assertSameFields(PolicyEndpointCodec.toSpec(full), schema, "spec");
        assertThat(schema.getRequired()).containsExactly("policyRef");
    }

    /** Every key of {@code value} is a property of {@code schema}, and every property a key: recursively. */
    @SuppressWarnings("unchecked")
    private static void assertSameFields(Object value, JSONSchemaProps schema, String path) {
        if (value instanceof Map<?, ?> map) {
            if (schema.getAdditionalProperties() != null && schema.getProperties().isEmpty()) {
                return; // matchLabels: a map of any keys
            }
            assertThat(schema.getProperties().keySet()).as(path).isEqualTo(map.keySet());
            ((Map<String, Object>) map).forEach((k, v) -> assertSameFields(v, schema.getProperties().get(k),
                    path + "." + k));
        } else if (value instanceof List<?> list) {
            assertThat(schema.getType()).as(path).isEqualTo("array");
            list.forEach(item -> assertSameFields(item, schema.getItems().getSchema(), path + "[]"));
        } else {
            String type = switch (value) {
                case String s -> "string";
                case Boolean b -> "boolean";
                case Integer i -> "integer";
                default -> throw new AssertionError(path + ": unexpected " + value);
            };
            assertThat(schema.getType()).as(path).isEqualTo(type);
        }
    }

    @Test
    void theControllersRolesGrantExactlyTheCallsItMakesToItsOwnAccount() {
        List<HasMetadata> objects = Manifests.networkPolicy();
        Deployment deployment = named(objects, Deployment.class, CONTROLLER);
        String namespace = deployment.getMetadata().getNamespace();
        String account = deployment.getSpec().getTemplate().getSpec().getServiceAccountName();

        assertThat(granted(named(objects, ClusterRole.class, CONTROLLER).getRules()))
                .isEqualTo(triples(ControllerPermissions.CLUSTER));
        Role lease = named(objects, Role.class, CONTROLLER);
        assertThat(lease.getMetadata().getNamespace()).isEqualTo(namespace);
        assertThat(granted(lease.getRules())).isEqualTo(triples(ControllerPermissions.OWN_NAMESPACE));

        ClusterRoleBinding clusterBinding = named(objects, ClusterRoleBinding.class, CONTROLLER);
        assertThat(clusterBinding.getRoleRef().getKind()).isEqualTo("ClusterRole");
        assertThat(clusterBinding.getRoleRef().getName()).isEqualTo(CONTROLLER);
        RoleBinding binding = named(objects, RoleBinding.class, CONTROLLER);
        assertThat(binding.getMetadata().getNamespace()).isEqualTo(namespace);
        assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
        for (List<Subject> subjects : List.of(clusterBinding.getSubjects(), binding.getSubjects())) {
            assertThat(subjects).singleElement().satisfies(s -> {
                assertThat(s.getName()).isEqualTo(account);
                assertThat(s.getNamespace()).isEqualTo(namespace);
            });
        }
    }

    @Test
    void theControllerRunsTwoUnprivilegedReplicasOfTheImagesLauncherForItsMain() throws Exception {
        Deployment deployment = named(Manifests.networkPolicy(), Deployment.class, CONTROLLER);
        var pod = deployment.getSpec().getTemplate().getSpec();
        var container = pod.getContainers().getFirst();
        DaemonSet ds = Manifests.one(DaemonSet.class);

        assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
        assertThat(pod.getContainers()).hasSize(1);
        assertThat(container.getImage()).isEqualTo(ds.getSpec().getTemplate().getSpec().getContainers().getFirst()
                .getImage());
        assertThat(container.getCommand()).containsExactly("/app/policy-controller/bin/policy-controller");
        assertThat(container.getEnv()).extracting(EnvVar::getName, e -> e.getValueFrom().getFieldRef().getFieldPath())
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("POD_NAME", "metadata.name"),
                        org.assertj.core.groups.Tuple.tuple("POD_NAMESPACE", "metadata.namespace"));
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getSecurityContext().getPrivileged()).isNull();
        assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(container.getResources().getLimits()).containsKey("memory");

        // the launcher the image puts at that path starts the controller's Main, and exits rather than thrash
        var launcher = Manifests.DEPLOY.resolve("image/policy-controller");
        assertThat(Files.isExecutable(launcher)).isTrue();
        String script = Files.readString(launcher);
        assertThat(script).contains(io.vpccni.policy.controller.Main.class.getName())
                .contains("-XX:+ExitOnOutOfMemoryError").contains("-XX:MaxRAMPercentage=");
        assertThat(Files.readString(Manifests.DEPLOY.resolve("image/Dockerfile")))
                .contains("COPY deploy/image/policy-controller /app/policy-controller/bin/policy-controller");
    }

    @Test
    void theAgentMayReadPolicyEndpointsAndNothingMore() {
        List<HasMetadata> objects = Manifests.networkPolicy();
        ClusterRole role = named(objects, ClusterRole.class, "vpc-cni-network-policy-agent");
        ClusterRoleBinding binding = named(objects, ClusterRoleBinding.class, "vpc-cni-network-policy-agent");
        DaemonSet ds = Manifests.one(DaemonSet.class);

        assertThat(granted(role.getRules())).containsExactlyInAnyOrder(
                List.of(PolicyEndpoint.GROUP, PolicyEndpoint.PLURAL, "get"),
                List.of(PolicyEndpoint.GROUP, PolicyEndpoint.PLURAL, "list"),
                List.of(PolicyEndpoint.GROUP, PolicyEndpoint.PLURAL, "watch"));
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getName()).isEqualTo(ds.getSpec().getTemplate().getSpec().getServiceAccountName());
            assertThat(s.getNamespace()).isEqualTo(ds.getMetadata().getNamespace());
        });
    }

    @Test
    void networkPolicyIsOffInTheDaemonSetUnlessTurnedOn() {
        var env = Manifests.one(DaemonSet.class).getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv();
        assertThat(env).filteredOn(e -> e.getName().equals("ENABLE_NETWORK_POLICY")).singleElement()
                .satisfies(e -> assertThat(e.getValue()).isEqualTo("false"));
        assertThat(env).filteredOn(e -> e.getName().equals("NETWORK_POLICY_ENFORCING_MODE")).singleElement()
                .satisfies(e -> assertThat(e.getValue()).isEqualTo("standard"));
    }
}
