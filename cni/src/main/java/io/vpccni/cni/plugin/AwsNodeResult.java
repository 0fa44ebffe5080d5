package io.vpccni.cni.plugin;

import io.vpccni.cni.dataplane.PodAttachment;
import io.vpccni.cni.spec.CniResult;
import io.vpccni.netlink.api.Route;
import io.vpccni.rpc.veth.HostVethName;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The ADD result in the shape aws-vpc-cni's plugin (cmd/routed-eni-cni-plugin) returns for the same
 * pod, so that after a switch back to aws-node its plugin can DEL our pods from the runtime's cached
 * result while its ipamd is unreachable. Its {@code teardownPodNetworkWithPrevResult} gives up
 * unless every piece below is there:
 * <ol>
 * <li>the host veth: the name only (no {@code mac});</li>
 * <li>the pod interface with its sandbox and, in {@code mac}, aws-vpc-cni's route table id:
 *     network card x max ENIs + device number + 1, so {@code 1} for the primary ENI (main) and
 *     N+1 for device N; its teardown reads a value above 1 as the table of the 1536 rule;</li>
 * <li>a virtual {@code dummy<hash of the host veth>} entry with {@code "mac":"0"} (no VLAN: not a
 *     branch-ENI pod) and the ENI's device number in {@code sandbox}; releases before multi-NIC
 *     support (v1.19) take the table (device + 1) from it, later ones count the pod's interfaces
 *     as (interfaces - 1) / 2.</li>
 * </ol>
 * No {@code mtu}: aws-vpc-cni sets none, so a 1.1.0 result has none either.
 */
final class AwsNodeResult {
    /** aws-vpc-cni's prefix for the virtual interface entry; "dummy" + 11 hex digits. */
    static final String DUMMY_PREFIX = "dummy";
    /** The VLAN id a non-branch-ENI pod's dummy entry carries in {@code mac}. */
    static final String NO_VLAN = "0";

    private AwsNodeResult() {}

    static CniResult of(PodAttachment a, int deviceNumber, String netns, PodIdentity pod) {
        var host = new CniResult.Interface(a.hostVeth(), Optional.empty(), Optional.empty(), OptionalInt.empty());
        var podIf = new CniResult.Interface(a.ifName(), Optional.of(tableField(a.table())), Optional.of(netns),
                OptionalInt.empty());
        var dummy = new CniResult.Interface(dummyName(pod.namespace(), pod.name()), Optional.of(NO_VLAN),
                Optional.of(Integer.toString(deviceNumber)), OptionalInt.empty());
        var ip = CniResult.IpConfig.of(a.ip() + "/32", "", 1);
        return new CniResult(List.of(host, podIf, dummy), List.of(ip), List.of(), CniResult.Dns.EMPTY);
    }

    static String dummyName(String podNamespace, String podName) {
        return DUMMY_PREFIX + HostVethName.suffix(podNamespace, podName);
    }

    /** The kernel table as aws-vpc-cni writes it into {@code mac}: main is its route table id 1. */
    static String tableField(int table) {
        return table == Route.TABLE_MAIN ? "1" : Integer.toString(table);
    }

    /**
     * A pod interface's {@code mac} read back as aws-vpc-cni's teardown reads it: a number above 1
     * is the table, 1 (its id for the primary ENI) and our own old results' 254 are main. Empty
     * when the field is absent or not a number (a real MAC from another plugin).
     */
    static OptionalInt tableOf(Optional<String> mac) {
        if (mac.isEmpty()) {
            return OptionalInt.empty();
        }
        try {
            int t = Integer.parseInt(mac.get());
            if (t < 1) {
                return OptionalInt.empty();
            }
            return OptionalInt.of(t > 1 ? t : Route.TABLE_MAIN);
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /**
     * The table from the dummy entry of aws-vpc-cni up to v1.19, whose pod interface has no
     * {@code mac}: device number + 1, device 0 meaning main. Empty without a well-formed dummy.
     */
    static OptionalInt tableFromDummy(List<CniResult.Interface> interfaces) {
        for (CniResult.Interface i : interfaces) { // a loop: no stream on the plugin's path
            if (isDummy(i) && i.sandbox().isPresent()) {
                try {
                    int device = Integer.parseInt(i.sandbox().get());
                    if (device >= 0) {
                        return OptionalInt.of(device == 0 ? Route.TABLE_MAIN : device + 1);
                    }
                } catch (NumberFormatException e) {
                    return OptionalInt.empty();
                }
            }
        }
        return OptionalInt.empty();
    }

    /** The virtual entry of a non-branch-ENI pod: "dummy" + 11 hex digits, VLAN 0 in {@code mac}. */
    static boolean isDummy(CniResult.Interface i) {
        String n = i.name();
        if (n.length() != DUMMY_PREFIX.length() + 11 || !n.startsWith(DUMMY_PREFIX)
                || !i.mac().equals(Optional.of(NO_VLAN))) {
            return false;
        }
        for (int k = DUMMY_PREFIX.length(); k < n.length(); k++) {
            if (Character.digit(n.charAt(k), 16) < 0) {
                return false;
            }
        }
        return true;
    }
}
