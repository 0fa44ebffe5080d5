package io.vpccni.policy.resolve;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What one reconcile of the controller costs in resolution: every policy of a cluster resolved against its pods
 * (bench/policy-resolve.sh; BENCHMARKS.md, "Policy controller: resolving a cluster"). Not a test: run by the script.
 *
 * <p>The cluster: 50 namespaces (label team=t0..t4), {@code pods} pods spread evenly over them and over 100 nodes
 * (labels app=a0..a9, tier=0..2; half name TCP 8080 "http", half TCP 8081), and {@code policies} policies cycling
 * through eight shapes: deny all, from a pod selector, from a namespace selector, both in one peer, an ipBlock with
 * except, a named port, egress to a namespace on UDP 53, a pod selector in every namespace.
 */
public final class ResolveBench {

    private ResolveBench() {}

    static final String[] SHAPES = {
            "policyTypes: [Ingress]",
            "ingress:\n- from: [{podSelector: {matchLabels: {app: a1}}}]",
            "ingress:\n- from: [{namespaceSelector: {matchLabels: {team: t1}}}]",
            "ingress:\n- from: [{namespaceSelector: {matchLabels: {team: t2}}, podSelector: {matchLabels: {tier: \"1\"}}}]",
            "egress:\n- to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]",
            "ingress:\n- ports: [{port: http}]",
            "policyTypes: [Egress]\negress:\n- to: [{namespaceSelector: {matchLabels: {team: t3}}}]\n  ports: [{protocol: UDP, port: 53}]",
            "ingress:\n- from: [{namespaceSelector: {}, podSelector: {matchLabels: {app: a2}}}]"};

    static ClusterState cluster(int podCount) {
        List<Namespace> namespaces = new ArrayList<>();
        List<Pod> pods = new ArrayList<>();
        for (int n = 0; n < 50; n++) {
            namespaces.add(new NamespaceBuilder().withNewMetadata().withName("ns-" + n)
                    .withLabels(Map.of("team", "t" + n % 5)).endMetadata().build());
        }
        for (int i = 0; i < podCount; i++) {
            int n = i % 50;
            String node = "node-" + i % 100;
            pods.add(new PodBuilder().withNewMetadata().withNamespace("ns-" + n).withName("pod-" + i)
                    .withLabels(Map.of("app", "a" + i % 10, "tier", Integer.toString(i % 3))).endMetadata()
                    .withNewSpec().withNodeName(node).addNewContainer().withName("c")
                    .withPorts(new ContainerPort(i % 2 == 0 ? 8080 : 8081, null, null, "http", "TCP")).endContainer()
                    .endSpec().withNewStatus().withPhase("Running").withHostIP("10.0.0." + (i % 100 + 1))
                    .withPodIP("10." + (1 + i / 65_000) + "." + (i / 250 % 256) + "." + (i % 250 + 1)).endStatus()
                    .build());
        }
        return new ClusterState(pods, namespaces);
    }

    static List<NetworkPolicy> policies(int count) {
        List<NetworkPolicy> out = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            out.add(PolicyResolverTest.policy("ns-" + k % 50, "p-" + k,
                    "podSelector: {matchLabels: {app: a" + k % 10 + "}}\n" + SHAPES[k % SHAPES.length]));
        }
        return out;
    }

    /** Args: pods, policies, runs. Prints one Markdown table row: median and min ms, objects, rules. */
    public static void main(String[] args) {
        int pods = Integer.parseInt(args[0]);
        int policyCount = Integer.parseInt(args[1]);
        int runs = Integer.parseInt(args[2]);
        ClusterState state = cluster(pods);
        List<NetworkPolicy> policies = policies(policyCount);
        long[] nanos = new long[runs];
        int objects = 0;
        long rules = 0;
        for (int warm = 0; warm < 5; warm++) {
            policies.forEach(p -> PolicyResolver.resolve(p, state));
        }
        for (int r = 0; r < runs; r++) {
            long start = System.nanoTime();
            objects = 0;
            rules = 0;
            for (NetworkPolicy p : policies) {
                if (PolicyResolver.resolve(p, state) instanceof Resolution.Resolved resolved) {
                    objects += resolved.endpoints().size();
                    for (ResolvedEndpoint e : resolved.endpoints()) {
                        rules += e.endpoint().ingress().size() + e.endpoint().egress().size();
                    }
                }
            }
            nanos[r] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        System.out.printf("| %d | %d | %.1f | %.1f | %d | %d |%n", pods, policyCount, nanos[runs / 2] / 1e6,
                nanos[0] / 1e6, objects, rules);
    }
}
