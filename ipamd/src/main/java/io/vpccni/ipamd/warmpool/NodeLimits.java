package io.vpccni.ipamd.warmpool;

/**
 * Instance-type limits and node facts the policy needs.
 *
 * @param instanceMaxEnis     ENIs the instance type allows (network card 0)
 * @param ipv4AddressesPerEni IPv4 addresses per ENI for the instance type ({@code L_ip}); one of them is the
 *                            ENI's own primary IP, so pods get {@code L_ip - 1} secondary IPs or /28 prefixes
 * @param unmanagedEnis       attached ENIs tagged no_manage (or otherwise excluded); they use up ENI slots
 * @param reservedEniSlots    slots kept free, e.g. 1 for a trunk ENI that security groups for pods will attach
 * @param maxPods             kubelet's pod capacity; the pool is never "low" once it holds this many addresses
 */
public record NodeLimits(int instanceMaxEnis, int ipv4AddressesPerEni, int unmanagedEnis, int reservedEniSlots,
                         int maxPods) {
    public NodeLimits {
        if (instanceMaxEnis < 1 || ipv4AddressesPerEni < 2) {
            throw new IllegalArgumentException("an instance has at least 1 ENI and 2 IPv4 addresses per ENI");
        }
        if (unmanagedEnis < 0 || reservedEniSlots < 0 || maxPods < 0) {
            throw new IllegalArgumentException("counts must not be negative");
        }
    }

    /** The same limits with the unmanaged ENIs as last seen (they come and go behind the daemon's back). */
    public NodeLimits withUnmanagedEnis(int count) {
        return new NodeLimits(instanceMaxEnis, ipv4AddressesPerEni, count, reservedEniSlots, maxPods);
    }

    /** {@code M} in secondary-IP mode, {@code P} in prefix mode. */
    public int unitsPerEni() {
        return ipv4AddressesPerEni - 1;
    }

    /** {@code E_max}: ENIs we may have attached, after MAX_ENI, unmanaged ENIs and reserved slots. */
    public int eniLimit(int maxEni) {
        int limit = maxEni > 0 ? Math.min(maxEni, instanceMaxEnis) : instanceMaxEnis;
        return Math.max(0, limit - unmanagedEnis - reservedEniSlots);
    }
}
