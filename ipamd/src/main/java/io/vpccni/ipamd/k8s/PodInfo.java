package io.vpccni.ipamd.k8s;

import java.time.Instant;
import java.util.Optional;

/**
 * A pod scheduled on this node, as far as address bookkeeping cares.
 *
 * @param hostNetwork the pod uses the node's network: it never gets an address of ours
 * @param finished    it succeeded, failed or is being deleted: it will not ask for an address
 * @param boundAt     when it was bound to the node (its PodScheduled condition, else its creation), when known
 */
public record PodInfo(String namespace, String name, String uid, Optional<String> ipAnnotation, boolean hostNetwork,
                      boolean finished, Optional<Instant> boundAt) {

    /** A running pod on the pod network, bound at an unknown time. */
    public PodInfo(String namespace, String name, String uid, Optional<String> ipAnnotation) {
        this(namespace, name, uid, ipAnnotation, false, false, Optional.empty());
    }
}
