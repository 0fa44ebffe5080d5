package io.vpccni.policy.controller;

import io.vpccni.policy.endpoint.PolicyRef;
import io.vpccni.policy.resolve.Resolution;
import io.vpccni.policy.resolve.ResolvedEndpoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What to write to bring the API server's PolicyEndpoints to the resolutions: objects to create, to update (their
 * spec, labels or owner differ; an unchanged object is never rewritten) and to delete (no longer needed, or left by a
 * policy that is gone). The objects of a policy that cannot be resolved are kept as they are: enforcement stays as it
 * was until the policy is fixed, rather than lapsing.
 *
 * <p>Pure: a function of its inputs.
 */
record EndpointPlan(List<Write> creates, List<Write> updates, List<ExistingEndpoint> deletes) {

    /** An object to write, owned by the policy with that uid; {@code existing} is the object an update replaces. */
    record Write(ResolvedEndpoint desired, String policyUid, Optional<ExistingEndpoint> existing) {}

    boolean isEmpty() {
        return creates.isEmpty() && updates.isEmpty() && deletes.isEmpty();
    }

    /**
     * @param resolutions every NetworkPolicy of the cluster, resolved
     * @param uids        each policy's uid, for the owner reference
     * @param existing    the objects our controller wrote (its label), in every namespace
     */
    static EndpointPlan of(Map<PolicyRef, Resolution> resolutions, Map<PolicyRef, String> uids,
                           List<ExistingEndpoint> existing) {
        Map<String, Write> desired = new LinkedHashMap<>();
        resolutions.values().forEach(r -> {
            if (r instanceof Resolution.Resolved resolved) {
                resolved.endpoints().forEach(e -> desired.put(e.endpoint().namespace() + "/" + e.endpoint().name(),
                        new Write(e, uids.get(r.policy()), Optional.empty())));
            }
        });
        List<Write> updates = new ArrayList<>();
        List<ExistingEndpoint> deletes = new ArrayList<>();
        for (ExistingEndpoint e : existing) {
            Write want = desired.remove(e.key());
            if (want != null) {
                if (!upToDate(e, want)) {
                    updates.add(new Write(want.desired(), want.policyUid(), Optional.of(e)));
                }
            } else if (!keptForUnresolvablePolicy(e, resolutions)) {
                deletes.add(e);
            }
        }
        return new EndpointPlan(List.copyOf(desired.values()), updates, deletes);
    }

    private static boolean upToDate(ExistingEndpoint e, Write want) {
        return e.spec().filter(want.desired().endpoint()::equals).isPresent()
                && e.labels().entrySet().containsAll(want.desired().labels().entrySet())
                && e.ownerUid().equals(Optional.ofNullable(want.policyUid()));
    }

    private static boolean keptForUnresolvablePolicy(ExistingEndpoint e, Map<PolicyRef, Resolution> resolutions) {
        return e.ownerPolicy().map(name -> resolutions.get(new PolicyRef(e.namespace(), name)))
                .filter(Resolution.Unresolvable.class::isInstance).isPresent();
    }
}
