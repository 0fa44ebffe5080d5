package io.vpccni.it.vpc;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code ./vpc-cni demo}: two simulated nodes against the EC2 emulator, six pods wired by the real plugin, their
 * addresses and ENIs, a pod-to-pod connectivity matrix, one node's status, then everything torn down (also on
 * Ctrl-C). Needs root (namespaces) and the packaged plugin ({@code mvn install}).
 */
public final class Demo {

    private static final long START = System.nanoTime();

    private Demo() {}

    public static void main(String[] args) throws Exception {
        // t3.small: 3 ENIs of 4 addresses, so the fourth pod on a node lands on a secondary ENI.
        List<VpcBox.NodeSpec> specs = List.of(
                new VpcBox.NodeSpec("node-a", "t3.small", Map.of()),
                new VpcBox.NodeSpec("node-b", "t3.small", Map.of()));
        AtomicBoolean interrupted = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (interrupted.compareAndSet(false, true)) {
                step("interrupted: tearing down (pods, ipamd, namespaces, emulator VPC)");
            }
        }));
        step("starting: LocalStack EC2, a fabric namespace (the VPC router), 2 node namespaces with real ipamd");
        int exit;
        VpcBox box;
        try {
            box = VpcBox.start(specs, Demo::step);
        } catch (Exception e) {
            System.exit(failed(e, interrupted));
            return;
        }
        try {
            exit = run(box);
        } catch (Exception e) {
            exit = failed(e, interrupted);
        } finally {
            if (interrupted.compareAndSet(false, true)) {
                step("tearing down: CNI DEL of every pod, ipamd, namespaces, emulator VPC");
            }
            box.close();
        }
        List<String> left = box.leftoverNamespaces();
        step(left.isEmpty() ? "done; no namespace left behind" : "left behind: " + left);
        System.exit(left.isEmpty() ? exit : 1);
    }

    /** One readable line (the whole trace with -Dvpccni.debug=true); quiet when Ctrl-C caused it. */
    private static int failed(Exception e, AtomicBoolean interrupted) {
        if (interrupted.get()) {
            return 130;
        }
        step("demo failed: " + e.getMessage());
        if (Boolean.getBoolean("vpccni.debug")) {
            e.printStackTrace();
        } else {
            System.out.println("         (run with JAVA_TOOL_OPTIONS=-Dvpccni.debug=true for the stack trace, "
                    + "-Dvpccni.keep=true to keep the nodes' logs)");
        }
        return 1;
    }

    private static int run(VpcBox box) throws Exception {
        SimulatedNodeNs a = box.nodes().get(0);
        SimulatedNodeNs b = box.nodes().get(1);
        List<PodNs> pods = new ArrayList<>();
        String runtime = CniRuntime.usesCnitool() ? "cnitool" : "the plugin directly";
        for (int i = 1; i <= 6; i++) {
            SimulatedNodeNs node = i <= 4 ? a : b;
            long t = System.nanoTime();
            PodNs pod = box.addPod("pod-" + i, node);
            pods.add(pod);
            step(String.format("%s on %s: %s on eth%d (CNI ADD via %s, %d ms%s)", pod.name(), node.name(), pod.ip(),
                    pod.deviceIndex(), runtime, (System.nanoTime() - t) / 1_000_000, pod.addRetries() == 0 ? ""
                            : "; " + pod.addRetries() + " retries while the pool grew"));
        }
        box.reconciler().awaitNextPass();

        System.out.println();
        System.out.println("Pods");
        System.out.printf("  %-6s  %-6s  %-15s  %-21s  %s%n", "POD", "NODE", "IP", "ENI", "DEVICE");
        for (PodNs pod : pods) {
            String eni = box.eniOf(pod.ip()).map(EniLink::eniId).orElse("?");
            System.out.printf("  %-6s  %-6s  %-15s  %-21s  eth%d%n", pod.name(), pod.node().name(), pod.ip(), eni,
                    pod.deviceIndex());
        }

        System.out.println();
        System.out.println("Connectivity: each pod connects to every other pod's TCP server, which reports the source");
        System.out.println("address it saw (ok = the sender's own pod IP, no NAT); 'outside' is a host beyond the VPC");
        System.out.println("CIDR (" + VpcBox.OUTSIDE + "), where pod traffic arrives SNAT'd to the node's primary IP.");
        System.out.println();
        StringBuilder header = new StringBuilder(String.format("  %-8s", "from\\to"));
        pods.forEach(p -> header.append(String.format("%-7s", p.name())));
        header.append("outside");
        System.out.println(header);
        int failures = 0;
        for (PodNs from : pods) {
            StringBuilder row = new StringBuilder(String.format("  %-8s", from.name()));
            for (PodNs to : pods) {
                String cell;
                if (from == to) {
                    cell = "-";
                } else {
                    cell = probe(from, to.ip(), from.ip());
                    failures += cell.equals("ok") ? 0 : 1;
                }
                row.append(String.format("%-7s", cell));
            }
            String outside = probe(from, VpcBox.OUTSIDE, box.primaryIp(from.node()));
            failures += outside.equals("ok") ? 0 : 1;
            row.append(outside.equals("ok") ? "ok (as " + box.primaryIp(from.node()) + ")" : outside);
            System.out.println(row);
        }
        System.out.println();
        System.out.println(failures == 0 ? "All " + (pods.size() * pods.size()) + " paths work as Kubernetes requires."
                : failures + " paths failed (see the matrix).");

        System.out.println();
        System.out.println("vpc-cni status on " + a.name() + " (run inside its namespace):");
        Exec.Result status = a.ipamd().status();
        status.stdout().lines().forEach(line -> System.out.println(line.isBlank() ? "" : "  " + line));
        if (!status.stderr().isBlank()) {
            status.stderr().lines().forEach(line -> System.out.println("  " + line));
        }
        System.out.println();
        return failures == 0 ? 0 : 1;
    }

    /** "ok" when the target saw {@code expected} as the source; else what it saw, or "FAIL". */
    private static String probe(PodNs from, String target, String expected) {
        try {
            String seen = from.reach(target);
            return seen.equals(expected) ? "ok" : "NAT:" + seen;
        } catch (Exception e) {
            return "FAIL";
        }
    }

    private static void step(String message) {
        System.out.printf("[%5.1fs] %s%n", (System.nanoTime() - START) / 1e9, message);
    }
}
