package io.vpccni.policy.controller;

import io.vpccni.policy.endpoint.PolicyEndpoint;
import java.util.Map;
import java.util.Optional;

/**
 * A PolicyEndpoint our controller wrote earlier, as the API server has it now.
 *
 * @param ownerPolicy the NetworkPolicy its owner reference names, else its spec.policyRef's; empty when neither is
 *                    readable
 * @param ownerUid    the uid of that owner reference; empty without one
 * @param spec        its spec, empty when it does not parse (someone edited it): such an object is rewritten
 */
record ExistingEndpoint(String namespace, String name, String resourceVersion, Optional<String> ownerPolicy,
                        Optional<String> ownerUid, Map<String, String> labels, Optional<PolicyEndpoint> spec) {

    String key() {
        return namespace + "/" + name;
    }
}
