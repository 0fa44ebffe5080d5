package io.vpccni.ipamd.introspect;

import io.vpccni.eni.model.InstanceLimits;
import io.vpccni.ipamd.config.WarmPoolSettings;
import io.vpccni.ipamd.pool.NodeEni;
import java.util.List;

/**
 * What the node may hold, derived once for metrics, /v1/pool and the status command so they agree.
 *
 * @param maxEnis            ENIs the pool may use: the instance limit (MAX_ENI applied) minus unmanaged ENIs,
 *                           as aws-vpc-cni's awscni_eni_max
 * @param unmanagedEnis      attached ENIs tagged no_manage=true
 * @param addressesPerEni    pod addresses one ENI can carry: secondary slots, times 16 with prefix delegation
 * @param maxAddresses       {@code maxEnis * addressesPerEni}, as aws-vpc-cni's awscni_ip_max
 * @param warmTargetAddresses the spare addresses the configuration asks for: WARM_IP_TARGET when set, else
 *                           WARM_PREFIX_TARGET * 16 with prefix delegation, else WARM_ENI_TARGET ENIs' worth
 */
public record NodeCapacity(int maxEnis, int unmanagedEnis, int addressesPerEni, int maxAddresses,
                           int warmTargetAddresses) {

    static final int PREFIX_SIZE = 16;

    public static NodeCapacity of(NodeView view) {
        return of(view.limits(), view.config().pool(), view.enis());
    }

    static NodeCapacity of(InstanceLimits limits, WarmPoolSettings pool, List<NodeEni> enis) {
        int unmanaged = (int) enis.stream().filter(e -> e.eni().isUnmanaged()).count();
        int maxEnis = Math.max(0, limits.maxEnis() - unmanaged);
        int perEni = limits.secondarySlotsPerEni() * (pool.prefixDelegation() ? PREFIX_SIZE : 1);
        int warm;
        if (pool.warmIpTarget() > 0) {
            warm = pool.warmIpTarget();
        } else if (pool.prefixDelegation()) {
            warm = pool.warmPrefixTarget() * PREFIX_SIZE;
        } else {
            warm = pool.warmEniTarget() * limits.secondarySlotsPerEni();
        }
        return new NodeCapacity(maxEnis, unmanaged, perEni, maxEnis * perEni, warm);
    }
}
