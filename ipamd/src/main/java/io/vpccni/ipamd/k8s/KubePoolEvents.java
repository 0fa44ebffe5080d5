package io.vpccni.ipamd.k8s;

import io.vpccni.eni.error.Ec2Failure;
import io.vpccni.ipamd.pool.PoolEvents;
import io.vpccni.ipamd.warmpool.PoolAction;

/** Turns the pool maintainer's failures that an operator must fix into node events. */
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

    @Override
    public void placementUnavailable(String reason) {
        events.warning(NodeEvent.INVALID_ENI_CONFIG, reason, reason);
    }
}
