package io.vpccni.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.vpccni.cni.server.PluginServer;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.vpccni.ipamd.config.ConfigKey;
import io.vpccni.ipamd.config.ConfigKeys;
import io.vpccni.ipamd.config.IpamdConfig;
import io.vpccni.ipamd.k8s.EniConfig;
import io.vpccni.ipamd.k8s.RequiredPermissions;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ManifestsTest {

    @Test
    void everyManifestParsesIntoItsTypedObject() {
        assertThat(Manifests.all()).extracting(HasMetadata::getClass).map(Class::getSimpleName)
                .containsExactlyInAnyOrder("ClusterRole", "ClusterRoleBinding", "DaemonSet",
                        "CustomResourceDefinition", "CustomResourceDefinition", "ServiceAccount");
    }

    private static Container container(DaemonSet ds, String name) {
        return ds.getSpec().getTemplate().getSpec().getContainers().stream().filter(c -> c.getName().equals(name))
                .findFirst().orElseThrow();
    }

    @Test
    void daemonSetCarriesEveryConfigurationKeyWithItsDefaultAndNothingElse() {
        List<EnvVar> env = container(Manifests.one(DaemonSet.class), "ipamd").getEnv();

        assertThat(env).extracting(EnvVar::getName).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(IpamdConfig.KEYS.stream().map(ConfigKey::name).toList());
        Map<String, String> defaults = IpamdConfig.KEYS.stream()
                .collect(Collectors.toMap(ConfigKey::name, ConfigKey::defaultValue));
        for (EnvVar var : env) {
            if (var.getName().equals(ConfigKeys.MY_NODE_NAME.name())) {
                assertThat(var.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("spec.nodeName");
            } else {
                assertThat(var.getValue()).as(var.getName()).isEqualTo(defaults.get(var.getName()));
            }
        }
    }

    @Test
    void daemonSetRunsOnEveryNodeInTheHostNetworkWithOnlyTheInitContainerPrivileged() {
        DaemonSet ds = Manifests.one(DaemonSet.class);
        var pod = ds.getSpec().getTemplate().getSpec();
        assertThat(ds.getMetadata().getNamespace()).isEqualTo("kube-system");
        assertThat(pod.getHostNetwork()).isTrue();
        assertThat(pod.getPriorityClassName()).isEqualTo("system-node-critical");
        assertThat(pod.getTolerations()).singleElement().satisfies(t -> {
            assertThat(t.getOperator()).isEqualTo("Exists");
            assertThat(t.getKey()).isNull();
            assertThat(t.getEffect()).isNull();
        });
        assertThat(pod.getServiceAccountName()).isEqualTo(Manifests.one(ServiceAccount.class).getMetadata().getName());

        Container ipamd = container(ds, "ipamd");
        // Not privileged: the capabilities the daemon and its plugin server use (docs/security.md), the runtime's
        // seccomp profile, and no allowPrivilegeEscalation=false, which the API refuses beside SYS_ADMIN.
        var security = ipamd.getSecurityContext();
        assertThat(security.getPrivileged()).isNotEqualTo(Boolean.TRUE);
        assertThat(security.getCapabilities().getAdd()).containsExactly("NET_ADMIN", "NET_RAW", "SYS_ADMIN");
        assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(security.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(security.getAllowPrivilegeEscalation()).isNull();
        assertThat(container(ds, "ipamd").getEnv()).filteredOn(e -> e.getName().equals("VPC_CNI_PLUGIN_SERVER"))
                .singleElement().satisfies(e -> assertThat(e.getValue()).isEqualTo("true"));
        assertThat(pod.getInitContainers()).singleElement()
                .satisfies(init -> assertThat(init.getSecurityContext().getPrivileged()).isTrue());
        // The installer's one setting, off: only a node moving over from aws-node renames its conflist, in the
        // directory the installer looks in by default.
        Container install = pod.getInitContainers().getFirst();
        assertThat(install.getEnv()).singleElement().satisfies(e -> {
            assertThat(e.getName()).isEqualTo("VPC_CNI_MOVE_AWS_CONFLIST");
            assertThat(e.getValue()).isEqualTo("false");
        });
        assertThat(install.getVolumeMounts()).extracting(m -> m.getMountPath())
                .containsExactlyInAnyOrder("/host/opt/cni/bin", "/host/etc/cni/net.d");

        String port = ConfigKeys.INTROSPECTION_BIND_ADDRESS.defaultValue().replaceAll(".*:", "");
        assertThat(ipamd.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(ipamd.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        for (var probe : List.of(ipamd.getReadinessProbe(), ipamd.getLivenessProbe())) {
            assertThat(probe.getHttpGet().getPort().getIntVal()).isEqualTo(Integer.parseInt(port));
            assertThat(probe.getHttpGet().getHost()).isEqualTo("127.0.0.1"); // where the server binds by default
        }
        assertThat(pod.getVolumes()).extracting(Volume::getHostPath).extracting(h -> h.getPath())
                .containsExactlyInAnyOrder("/opt/cni/bin", "/etc/cni/net.d", "/var/run/aws-node", "/var/run/vpc-cni",
                        "/var/log/vpc-cni", "/run/xtables.lock", "/proc/sys/net");
        // The checkpoint and socket defaults must lie on host mounts, or a restart would lose them.
        Set<String> mounted = ipamd.getVolumeMounts().stream().map(m -> m.getMountPath()).collect(Collectors.toSet());
        assertThat(mounted).contains("/var/run/aws-node", "/var/run/vpc-cni", "/var/log/vpc-cni", "/run/xtables.lock");
        // The host's network sysctls, writable where the daemon looks for them; no pod namespace is opened by path.
        assertThat(mounted).contains(PluginServer.HOST_PROC_SYS.resolve("net").toString())
                .doesNotContain("/var/run/netns");
    }

    /** (apiGroup, resource, verb) triples. */
    static Set<List<String>> triples(List<RequiredPermissions.Rule> rules) {
        Set<List<String>> out = new HashSet<>();
        rules.forEach(r -> r.verbs().forEach(v -> out.add(List.of(r.apiGroup(), r.resource(), v))));
        return out;
    }

    /** (apiGroup, resource, verb) triples a ClusterRole grants; no rule may name single objects. */
    static Set<List<String>> granted(ClusterRole role) {
        Set<List<String>> granted = new HashSet<>();
        role.getRules().forEach(rule -> rule.getApiGroups().forEach(g -> rule.getResources().forEach(r ->
                rule.getVerbs().forEach(v -> granted.add(List.of(g, r, v))))));
        assertThat(role.getRules()).allSatisfy(rule -> assertThat(rule.getResourceNames()).isNullOrEmpty());
        return granted;
    }

    /** The calls ipamd makes with the ANNOTATE_POD_IP of {@code ds}'s ipamd container (pods/patch only if on). */
    static Set<List<String>> required(DaemonSet ds) {
        String annotate = ds.getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv().stream()
                .filter(e -> e.getName().equals("ANNOTATE_POD_IP")).findFirst().orElseThrow().getValue();
        return triples(RequiredPermissions.of(Boolean.parseBoolean(annotate)));
    }

    @Test
    void clusterRoleGrantsExactlyTheApiCallsIpamdMakes() {
        ClusterRole role = Manifests.one(ClusterRole.class);
        DaemonSet ds = Manifests.one(DaemonSet.class);
        assertThat(granted(role)).isEqualTo(required(ds))
                .doesNotContain(List.of("", "pods", "patch")); // ANNOTATE_POD_IP is off by default

        ClusterRoleBinding binding = Manifests.one(ClusterRoleBinding.class);
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        ServiceAccount account = Manifests.one(ServiceAccount.class);
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getName()).isEqualTo(account.getMetadata().getName());
            assertThat(s.getNamespace()).isEqualTo(account.getMetadata().getNamespace());
        });
    }

    /** The Lease Role of VPC_CNI_EC2_BUDGET_LEASES: exactly RequiredPermissions.leases(), in ipamd's namespace. */
    @Test
    void theEc2BudgetRoleGrantsExactlyTheLeaseCallsInIpamdsNamespaceToItsServiceAccount() {
        List<HasMetadata> objects = Manifests.ec2Budget();
        Role role = Manifests.one(objects, Role.class);
        ServiceAccount account = Manifests.one(ServiceAccount.class);
        assertThat(role.getMetadata().getNamespace()).isEqualTo(account.getMetadata().getNamespace());
        assertThat(roleGrants(role)).isEqualTo(triples(RequiredPermissions.leases()));
        RoleBinding binding = Manifests.one(objects, RoleBinding.class);
        assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getName()).isEqualTo(account.getMetadata().getName());
            assertThat(s.getNamespace()).isEqualTo(account.getMetadata().getNamespace());
        });
    }

    static Set<List<String>> roleGrants(Role role) {
        Set<List<String>> granted = new HashSet<>();
        role.getRules().forEach(rule -> rule.getApiGroups().forEach(g -> rule.getResources().forEach(r ->
                rule.getVerbs().forEach(v -> granted.add(List.of(g, r, v))))));
        return granted;
    }

    @Test
    void eniConfigCrdIsTheOneIpamdReads() {
        var spec = Manifests.all().stream().filter(CustomResourceDefinition.class::isInstance)
                .map(CustomResourceDefinition.class::cast).filter(c -> c.getSpec().getGroup().equals(EniConfig.GROUP))
                .findFirst().orElseThrow().getSpec();
        assertThat(spec.getGroup()).isEqualTo(EniConfig.GROUP);
        assertThat(spec.getNames().getKind()).isEqualTo(EniConfig.KIND);
        assertThat(spec.getNames().getPlural()).isEqualTo(EniConfig.PLURAL);
        assertThat(spec.getScope()).isEqualTo("Cluster");
        assertThat(spec.getVersions()).singleElement().satisfies(v -> {
            assertThat(v.getName()).isEqualTo(EniConfig.VERSION);
            var eniSpec = v.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
            assertThat(eniSpec.getRequired()).containsExactly("subnet");
            assertThat(eniSpec.getProperties()).containsOnlyKeys("subnet", "securityGroups");
        });
    }

    /**
     * The image runs ipamd with the flags the README measures, and restarts it rather than run out of heap: the
     * launcher takes them from ipamd.jvm-flags, which the image puts beside it, and has none of its own (VPC in a box
     * and the benchmarks read the same file: test-localstack's IpamdJvmFlagsTest).
     */
    @Test
    void theImagesIpamdLauncherHasTheMeasuredFlagsAndExitsOnOutOfMemory() throws Exception {
        String flags = Files.readString(Manifests.DEPLOY.resolve("image/ipamd.jvm-flags")).replaceAll("#.*", "");
        assertThat(flags.strip().split("\\s+")).contains("-XX:+UseSerialGC", "-Xmx64m", "-Xmn4m",
                "-XX:+ExitOnOutOfMemoryError", "-XX:TrimNativeHeapInterval=5000", "-XX:TieredStopAtLevel=1");
        String launcher = Files.readString(Manifests.DEPLOY.resolve("image/ipamd"));
        assertThat(launcher).contains("\"$h/ipamd.jvm-flags\"").doesNotContain("-XX:").doesNotContain("-Xmx");
        assertThat(Files.readString(Manifests.DEPLOY.resolve("image/Dockerfile")))
                .contains("COPY deploy/image/ipamd.jvm-flags /app/ipamd/ipamd.jvm-flags");
    }
}
