package io.vpccni.ipamd.warmpool;

/** Instance types of docs/warm-pool.md section 1, with eni-max-pods.txt values unless a test says otherwise. */
final class Instances {

    private Instances() {}

    static NodeLimits limits(String instanceType) {
        return switch (instanceType) {
            case "t3.small" -> new NodeLimits(3, 4, 0, 0, 11);
            case "p3dn.24xlarge" -> new NodeLimits(15, 50, 0, 0, 737);
            case "m4.4xlarge" -> new NodeLimits(8, 30, 0, 0, 234);
            default -> throw new IllegalArgumentException(instanceType);
        };
    }

    static NodeLimits limits(String instanceType, int maxPods) {
        NodeLimits l = limits(instanceType);
        return new NodeLimits(l.instanceMaxEnis(), l.ipv4AddressesPerEni(), l.unmanagedEnis(), l.reservedEniSlots(), maxPods);
    }

    /** Secondary-IP targets from table columns; null means "-" (unset). IP targets override WARM_ENI_TARGET. */
    static PoolTargets secondary(Integer weni, Integer wip, Integer min) {
        if (wip != null || min != null) {
            return PoolTargets.warmIp(wip == null ? 0 : wip, min == null ? 0 : min);
        }
        return PoolTargets.warmEni(weni == null ? 1 : weni);
    }

    /** Prefix-delegation targets from table columns; IP targets override WARM_PREFIX_TARGET. */
    static PoolTargets prefix(Integer wpfx, Integer wip, Integer min) {
        if (wip != null || min != null) {
            return PoolTargets.prefixWithIpTargets(wip == null ? 0 : wip, min == null ? 0 : min, wpfx == null ? 0 : wpfx);
        }
        return PoolTargets.warmPrefix(wpfx == null ? 0 : wpfx);
    }
}
