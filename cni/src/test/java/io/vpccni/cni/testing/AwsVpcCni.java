package io.vpccni.cni.testing;

import io.vpccni.cni.spec.CniError;
import io.vpccni.cni.spec.CniResult;
import io.vpccni.cni.spec.ResultReader;
import io.vpccni.netlink.testing.ScratchNetns;
import io.vpccni.netlink.testing.Shell;
import io.vpccni.rpc.veth.HostVethName;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What aws-vpc-cni's plugin (cmd/routed-eni-cni-plugin, v1.19 to v1.21) does to a node, rebuilt for
 * tests with {@code ip}: {@link #wire} leaves a pod as its ADD leaves it, {@link #result} is the ADD
 * result the runtime caches, and {@link #teardownWithPrevResult} is its DEL while its ipamd is
 * unreachable ({@code teardownPodNetworkWithPrevResult} and the driver's
 * {@code TeardownPodNetwork}), rule for rule, so tests can tell whether a pod wired by one plugin is
 * torn down by the other.
 */
public final class AwsVpcCni {
    /** Which shape of prevResult its DEL expects. */
    public enum Release {
        /** Before multi-NIC support (v1.19): the table is the dummy entry's device number + 1. */
        V1_19,
        /** With multi-NIC support (v1.21): the pod interface's {@code mac}, when set, is the route table id. */
        V1_21
    }

    private AwsVpcCni() {}

    /** One pod as its ipamd placed it: the ENI's device number decides the table (device + 1, main for 0). */
    public record Pod(String namespace, String name, String ip, int deviceNumber) {
        public String hostVeth() {
            return HostVethName.of("eni", namespace, name);
        }

        String dummy() {
            return "dummy" + HostVethName.suffix(namespace, name);
        }

        /** aws-vpc-cni's route table id: network card 0, device N: N + 1. */
        int routeTableId() {
            return deviceNumber + 1;
        }
    }

    /**
     * The kernel state its ADD leaves: the pair created in the pod with both ends at MTU 9001 and
     * txqueuelen 0 (its netlink library sends the zero of the unset field), the host end moved to the
     * node and up, the pod's link-local next hop, default route, /32 and permanent neighbour; on the
     * node the /32 route to the veth, {@code 512: to <ip> lookup main} and, off the primary ENI,
     * {@code 1536: from <ip> lookup <device + 1>}.
     */
    public static void wire(ScratchNetns node, ScratchNetns podNs, Pod pod) {
        String veth = pod.hostVeth();
        podNs.ip("link", "add", "eth0", "mtu", "9001", "txqueuelen", "0", "type", "veth", "peer", "name", veth,
                "mtu", "9001", "txqueuelen", "0", "netns", node.name());
        node.ip("link", "set", veth, "up");
        node.run("sysctl", "-qw", "net.ipv6.conf." + veth + ".accept_ra=0", "net.ipv6.conf." + veth
                + ".accept_redirects=1", "net.ipv6.conf." + veth + ".forwarding=0");
        String mac = node.ip("-o", "link", "show", "dev", veth).replaceAll(".*link/ether (\\S+).*", "$1").strip();
        podNs.ip("link", "set", "eth0", "up");
        podNs.ip("route", "replace", "169.254.1.1/32", "dev", "eth0", "scope", "link");
        podNs.ip("route", "add", "default", "via", "169.254.1.1", "dev", "eth0");
        podNs.ip("addr", "add", pod.ip() + "/32", "dev", "eth0");
        podNs.ip("neigh", "add", "169.254.1.1", "lladdr", mac, "dev", "eth0", "nud", "permanent");
        node.ip("route", "replace", pod.ip() + "/32", "dev", veth, "scope", "link");
        node.ip("rule", "add", "to", pod.ip() + "/32", "priority", "512", "table", "main");
        if (pod.deviceNumber() > 0) {
            node.ip("rule", "add", "from", pod.ip() + "/32", "priority", "1536", "table",
                    Integer.toString(pod.routeTableId()));
        }
    }

    /**
     * The ADD result the runtime caches for its conflist's version 0.4.0: the host veth by name, eth0
     * with (multi-NIC releases) the route table id in {@code mac}, and the dummy entry with VLAN 0 and the
     * device number.
     */
    public static String result(Release release, Pod pod, String netns) {
        String mac = release == Release.V1_21 ? "\"mac\":\"" + pod.routeTableId() + "\"," : "";
        return "{\"cniVersion\":\"0.4.0\",\"interfaces\":[{\"name\":\"" + pod.hostVeth() + "\"},"
                + "{\"name\":\"eth0\"," + mac + "\"sandbox\":\"" + netns + "\"},"
                + "{\"name\":\"" + pod.dummy() + "\",\"mac\":\"0\",\"sandbox\":\"" + pod.deviceNumber() + "\"}],"
                + "\"ips\":[{\"version\":\"4\",\"interface\":1,\"address\":\"" + pod.ip() + "/32\"}],\"dns\":{}}";
    }

    /**
     * Its DEL with ipamd unreachable: returns false, touching nothing, wherever its code gives up on
     * the prevResult (no dummy entry named after the pod, a VLAN id or device number that is not a
     * number, a table that is not a number); otherwise deletes {@code 512: to <ip> lookup main}, every
     * {@code 1536: from <ip> lookup <table>} when the table is above 1, and the /32 route in main. It
     * does not delete the veth: that goes with the pod's namespace.
     */
    public static boolean teardownWithPrevResult(Release release, ScratchNetns node, String prevResult,
            String podNamespace, String podName, String ifName) throws CniError {
        CniResult prev = ResultReader.parse(prevResult);
        Optional<CniResult.Interface> dummy = byName(prev, "dummy" + HostVethName.suffix(podNamespace, podName));
        if (dummy.isEmpty()) {
            return false;
        }
        Optional<Integer> vlan = number(dummy.get().mac());
        Optional<Integer> device = number(dummy.get().sandbox());
        if (vlan.isEmpty() || vlan.get() != 0 || device.isEmpty()) {
            return false;
        }
        int table = device.get() + 1;
        List<String> ips = new ArrayList<>();
        int attached = release == Release.V1_19 ? 1 : (prev.interfaces().size() - 1) / 2;
        for (int v = 0; v < attached; v++) {
            String name = v == 0 ? ifName : "mNicIf" + v;
            int index = indexOf(prev, name);
            List<String> addresses = index < 0 ? List.of() : addressesOf(prev, index);
            if (addresses.size() != 1) {
                if (release == Release.V1_19) {
                    return false;
                }
                continue; // with multi-NIC support it logs and skips that interface
            }
            Optional<String> mac = prev.interfaces().get(index).mac();
            if (release == Release.V1_21 && mac.isPresent()) {
                Optional<Integer> t = number(mac);
                if (t.isEmpty()) {
                    return false;
                }
                table = t.get();
            }
            ips.add(addresses.getFirst().substring(0, addresses.getFirst().indexOf('/')));
        }
        for (String ip : ips) {
            tolerateMissing(node, "rule", "del", "to", ip + "/32", "priority", "512", "table", "main");
            int rtTable = table > 1 ? table : 254;
            if (rtTable != 254) {
                // NetLinkRuleDelAll: older releases left several such rules.
                while (node.exec("ip", "rule", "del", "from", ip + "/32", "priority", "1536", "table",
                        Integer.toString(rtTable)).exit() == 0) {
                    // until none is left
                }
            }
            tolerateMissing(node, "route", "del", ip + "/32", "scope", "link", "table", "main");
        }
        return true;
    }

    private static void tolerateMissing(ScratchNetns node, String... ipArgs) {
        String[] command = new String[ipArgs.length + 1];
        command[0] = "ip";
        System.arraycopy(ipArgs, 0, command, 1, ipArgs.length);
        Shell.Result r = node.exec(command);
        if (r.exit() != 0 && !r.stderr().contains("No such")) {
            throw new IllegalStateException("ip " + String.join(" ", ipArgs) + " failed: " + r.stderr());
        }
    }

    private static Optional<CniResult.Interface> byName(CniResult r, String name) {
        int i = indexOf(r, name);
        return i < 0 ? Optional.empty() : Optional.of(r.interfaces().get(i));
    }

    private static int indexOf(CniResult r, String name) {
        for (int i = 0; i < r.interfaces().size(); i++) {
            if (r.interfaces().get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static List<String> addressesOf(CniResult r, int index) {
        return r.ips().stream().filter(ip -> ip.interfaceIndex().isPresent() && ip.interfaceIndex().getAsInt() == index)
                .map(CniResult.IpConfig::address).toList();
    }

    /** Go's strconv.Atoi of a field that may be absent (the empty string, which does not parse). */
    private static Optional<Integer> number(Optional<String> field) {
        try {
            return field.map(Integer::parseInt);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
