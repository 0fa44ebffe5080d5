package io.vpccni.policy.agent;

import io.vpccni.policy.agent.model.EnforcingMode;
import io.vpccni.policy.agent.model.LocalPod;
import io.vpccni.policy.agent.model.NodeModel;
import io.vpccni.policy.agent.model.NodePolicyModel;
import io.vpccni.policy.agent.nft.NftApplier;
import io.vpccni.policy.agent.nft.NftScript;
import io.vpccni.policy.endpoint.Direction;
import io.vpccni.policy.endpoint.PeerRule;
import io.vpccni.policy.endpoint.PodEndpoint;
import io.vpccni.policy.endpoint.PolicyEndpoint;
import io.vpccni.policy.endpoint.PolicyPort;
import io.vpccni.policy.endpoint.PolicyRef;
import io.vpccni.policy.endpoint.Protocol;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * bench/network-policy.sh: the table for PODS local pods, POLICIES policies and PEERS peer addresses (seeded, so every
 * run builds the same cluster), built, rendered and applied in a scratch namespace (medians of RUNS); the time from a
 * PolicyEndpoint change to its enforcement through the agent; TCP connection setup rate between two pods of a
 * NodeTestbed with and without that table. Prints Markdown. Not a test.
 */
public final class PolicyTableBench {

    static final String NODE_IP = "192.168.100.1";

    public static void main(String[] args) throws Exception {
        int pods = Integer.parseInt(args[0]);
        int policies = Integer.parseInt(args[1]);
        int peers = Integer.parseInt(args[2]);
        int runs = Integer.parseInt(args[3]);
        double seconds = Double.parseDouble(args[4]);

        try (NodeTestbed bed = NodeTestbed.create("a", "b")) {
            List<LocalPod> local = new ArrayList<>(bed.pods());
            for (int i = local.size(); i < pods; i++) {
                local.add(new LocalPod("10.0." + (2 + i / 250) + "." + (1 + i % 250),
                        Optional.of(String.format("enibench%06d", i)), "bench", "p" + i));
            }
            List<PolicyEndpoint> pes = cluster(local, policies, peers, bed.ip("b"), new Random(42));
            NftApplier nft = bed.nft();

            long[] build = new long[runs];
            long[] render = new long[runs];
            long[] replace = new long[runs];
            long[] update = new long[runs];
            NodeModel model = null;
            String script = null;
            for (int r = 0; r < runs; r++) {
                long t0 = System.nanoTime();
                model = NodePolicyModel.build(pes, local, Optional.of(NODE_IP), EnforcingMode.STANDARD);
                long t1 = System.nanoTime();
                script = NftScript.replace(model);
                long t2 = System.nanoTime();
                nft.apply(script);
                long t3 = System.nanoTime();
                nft.apply(script);
                long t4 = System.nanoTime();
                build[r] = t1 - t0;
                render[r] = t2 - t1;
                replace[r] = t3 - t2;
                update[r] = t4 - t3;
            }
            if (System.getenv("NPA_DUMP") != null) {
                java.nio.file.Files.writeString(java.nio.file.Path.of(System.getenv("NPA_DUMP") + ".replace"), script);
            }
            long elements = model.ruleSets().values().stream()
                    .mapToLong(a -> a.anyTraffic().size() + a.ported().size()).sum();
            System.out.printf("Table: %d local pods (%d isolated), %d policies, %d peer addresses: %d rule sets with"
                    + " %d elements, %d pod chains, a script of %.2f MiB.%n%n", pods, model.pods().size(), policies,
                    peers, model.ruleSets().size(), elements, script.lines().filter(l -> l.matches("\\t?chain (in|out)_\\d+ \\{"))
                    .count(), script.length() / 1048576.0);
            System.out.println("| step | median (ms) | min | max |");
            System.out.println("|---|---|---|---|");
            row("model (NodePolicyModel.build)", build);
            row("render (NftScript.replace)", render);
            row("apply (nft -f: delete and recreate the table in one transaction), replacing another table",
                    replace);
            row("apply, replacing the same table", update);
            long[] total = new long[runs];
            for (int r = 0; r < runs; r++) {
                total[r] = build[r] + render[r] + update[r];
            }
            row("change to table (model + render + apply)", total);

            latency(bed, local, pes, runs * 3);
            connections(bed, nft, model, seconds);
        }
    }

    /** POLICIES policies over the local pods, each selecting 10 and allowing PEERS / POLICIES peers (and b). */
    static List<PolicyEndpoint> cluster(List<LocalPod> local, int policies, int peers, String b, Random random) {
        // Scattered over a /16, as pods' addresses in a VPC are: neighbours rarely share a policy.
        java.util.LinkedHashSet<String> unique = new java.util.LinkedHashSet<>();
        while (unique.size() < peers) {
            int n = random.nextInt(65536);
            unique.add("10.2." + (n >> 8) + "." + (n & 0xFF));
        }
        List<String> peerIps = new ArrayList<>(unique);
        int perPolicy = Math.max(1, peers / policies);
        List<PolicyEndpoint> out = new ArrayList<>();
        for (int p = 0; p < policies; p++) {
            List<PodEndpoint> selected = new ArrayList<>();
            // policy 0 selects pod a, so that the connection benchmark crosses the table
            if (p == 0) {
                selected.add(new PodEndpoint(NODE_IP, local.getFirst().ip(), "a", "ns"));
            }
            for (int k = 0; k < 10; k++) {
                LocalPod pod = local.get(random.nextInt(local.size()));
                selected.add(new PodEndpoint(NODE_IP, pod.ip(), pod.name(), pod.namespace()));
            }
            List<PeerRule> in = new ArrayList<>();
            List<PolicyPort> ports = List.of(PolicyPort.of(Protocol.TCP, 80), PolicyPort.range(Protocol.TCP, 8080, 8090),
                    PolicyPort.of(Protocol.UDP, 53));
            for (int k = 0; k < perPolicy; k++) {
                in.add(new PeerRule(peerIps.get((p * perPolicy + k) % peers) + "/32", List.of(), ports));
            }
            in.add(new PeerRule("10.3.0.0/16", List.of("10.3." + p + ".0/24"), List.of(PolicyPort.of(Protocol.TCP,
                    443))));
            if (p == 0) {
                in.add(new PeerRule(b + "/32", List.of(), List.of(PolicyPort.of(Protocol.TCP, 80))));
            }
            List<PeerRule> outRules = List.of(new PeerRule("0.0.0.0/0", List.of("169.254.169.254/32"),
                    List.of(PolicyPort.of(Protocol.UDP, 53), PolicyPort.of(Protocol.TCP, 53))),
                    new PeerRule("10.0.0.0/8", List.of(), List.of()));
            out.add(new PolicyEndpoint("ns", "policy-" + p, new PolicyRef("ns", "policy-" + p), Map.of(), selected,
                    Set.of(Direction.INGRESS, Direction.EGRESS), in, outRules));
        }
        return out;
    }

    /** A PolicyEndpoint changed (one peer more), then the agent's apply awaited: N times, percentiles. */
    static void latency(NodeTestbed bed, List<LocalPod> local, List<PolicyEndpoint> pes, int n) {
        try (PolicyAgent agent = new PolicyAgent(new PolicyAgent.Settings(Optional.of(NODE_IP),
                EnforcingMode.STANDARD, false, Duration.ofSeconds(10)), bed.nft(), local, PolicyAgent.Events.NONE)
                .start()) {
            agent.endpointsListed(pes, List.of());
            agent.awaitApplied(Duration.ofSeconds(60));
            long[] took = new long[n];
            for (int i = 0; i < n; i++) {
                PolicyEndpoint pe = pes.get(i % pes.size());
                List<PeerRule> in = new ArrayList<>(pe.ingress());
                in.add(new PeerRule("10.4." + (i / 250) + "." + (1 + i % 250) + "/32", List.of(), List.of()));
                PolicyEndpoint changed = new PolicyEndpoint(pe.namespace(), pe.name(), pe.policyRef(), Map.of(),
                        pe.podSelectorEndpoints(), pe.podIsolation(), in, pe.egress());
                long t0 = System.nanoTime();
                agent.endpointChanged(changed);
                if (!agent.awaitApplied(Duration.ofSeconds(60))) {
                    throw new IllegalStateException("not applied: " + agent.status());
                }
                took[i] = System.nanoTime() - t0;
            }
            Arrays.sort(took);
            System.out.printf("%nPolicyEndpoint change to enforcement (PolicyAgent.endpointChanged until its nft"
                    + " transaction is committed), %d changes one after another: p50 %.1f ms, p99 %.1f ms, max %.1f"
                    + " ms.%n", n, took[n / 2] / 1e6, took[(int) Math.min(n - 1, Math.ceil(n * 0.99) - 1)] / 1e6,
                    took[n - 1] / 1e6);
        }
    }

    /**
     * Connections b -> a:80 (connect, one byte echoed, close) for SECONDS at a time: a warm-up, then three rounds of
     * without the table and with it, alternated so that load from elsewhere on the machine falls on both.
     */
    static void connections(NodeTestbed bed, NftApplier nft, NodeModel model, double seconds) throws Exception {
        String none = "add table " + NftScript.FAMILY_TABLE + "\ndelete table " + NftScript.FAMILY_TABLE + "\n";
        String table = NftScript.replace(model);
        nft.apply(none);
        rate(bed, seconds);
        int rounds = 3;
        double[] without = new double[rounds];
        double[] with = new double[rounds];
        long failed = 0;
        for (int r = 0; r < rounds; r++) {
            nft.apply(none);
            double[] a = rate(bed, seconds);
            nft.apply(table);
            double[] b = rate(bed, seconds);
            without[r] = a[0];
            with[r] = b[0];
            failed += (long) (a[1] + b[1]);
        }
        nft.apply(none);
        Arrays.sort(without);
        Arrays.sort(with);
        System.out.printf("%nTCP connection setup, pod b to pod a port 80 in namespaces (connect, 1 byte echoed,"
                + " close; one client; %.0f s per measurement, a warm-up, then %d rounds alternating; a is isolated"
                + " both ways and b is one of its allowed peers; failed connections: %d):%n%n", seconds, rounds, failed);
        System.out.println("| table | connections/s, median | min | max |");
        System.out.println("|---|---|---|---|");
        System.out.printf("| none | %.0f | %.0f | %.0f |%n", without[rounds / 2], without[0], without[rounds - 1]);
        System.out.printf("| the table above | %.0f | %.0f | %.0f |%n", with[rounds / 2], with[0], with[rounds - 1]);
        System.out.printf("%nRatio with / without (medians): %.2f%n", with[rounds / 2] / without[rounds / 2]);
    }

    static double[] rate(NodeTestbed bed, double seconds) throws Exception {
        String from = bed.nsOf("b");
        String to = bed.ip("a");
        return io.vpccni.netlink.ns.NetNs.named(from).run(() -> {
            long end = System.nanoTime() + (long) (seconds * 1e9);
            long ok = 0;
            long failed = 0;
            long start = System.nanoTime();
            while (System.nanoTime() < end) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(to, 80), 1000);
                    s.setSoLinger(true, 0); // RST on close: no TIME_WAIT pile-up across the run
                    s.getOutputStream().write('z');
                    if (s.getInputStream().read() == 'z') {
                        ok++;
                    } else {
                        failed++;
                    }
                } catch (java.io.IOException e) {
                    failed++;
                }
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            return new double[] {ok / elapsed, failed};
        });
    }

    static void row(String step, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf("| %s | %.1f | %.1f | %.1f |%n", step, sorted[sorted.length / 2] / 1e6, sorted[0] / 1e6,
                sorted[sorted.length - 1] / 1e6);
    }
}
