package io.vpccni.ipamd.k8s;

import io.vpccni.eni.error.Ec2Failure;
import io.vpccni.ipamd.pool.PoolEvents;
import io.vpccni.ipamd.warmpool.PoolAction;
import java.time.Instant;

/** Turns the pool maintainer's failures that an operator must fix, and its prefix fallback, into node events. */
final class KubePoolEvents implements PoolEvents {

    private final NodeEvents events;

    KubePoolEvents(NodeEvents events) {
        this.events = events;
    }

    @Override
    public void applied(PoolAction action) {}

    @Override
    public void failed(PoolAction action, Ec2Failure failure) {
        switch (failure) {
            case Ec2Failure.PermissionDenied denied -> events.warning(NodeEvent.MISSING_IAM_PERMISSION,
                    denied.operation(), "the node's IAM role may not call ec2:" + denied.operation()
                            + "; ipamd cannot manage ENIs: " + denied.getMessage());
            case Ec2Failure.SubnetFull full -> events.warning(NodeEvent.SUBNET_EXHAUSTED, full.operation(),
                    "the subnet has no free addresses left for pods: " + full.getMessage());
            case Ec2Failure.LimitExceeded limit -> events.warning(NodeEvent.ENI_LIMIT_REACHED, "",
                    "the instance's ENI or address limit is reached: " + limit.getMessage());
            default -> { } // transient or unexpected: logged and counted by the maintainer, not an operator task
        }
    }

    @Override
    public void maintenanceFailed(Throwable error) {}

    /** Reported once per window, not per grow: the fallback usually lasts many ticks. */
    @Override
    public void fellBackToSecondaryIps(PoolAction grow, Instant prefixesRetriedAt) {
        String what = switch (grow) {
            case PoolAction.AllocateIps ips -> ips.count() + " secondary IPs assigned to " + ips.eniId();
            case PoolAction.CreateEni eni -> "a new ENI created with " + eni.count() + " secondary IPs";
            default -> grow.toString();
        };
        events.warning(NodeEvent.PREFIX_FALLBACK, "", "the subnet has no free /28 prefix (EC2:"
                + " InsufficientCidrBlocks) but still has single addresses: " + what + " instead of prefixes;"
                + " prefixes are asked for again after " + prefixesRetriedAt);
    }

    @Override
    public void placementUnavailable(String reason) {
        events.warning(NodeEvent.INVALID_ENI_CONFIG, reason, reason);
    }
}
