package io.vpccni.policy.resolve;

/** What makes a NetworkPolicy impossible to resolve; the message names the field and the value. */
final class UnresolvablePolicyException extends RuntimeException {
    UnresolvablePolicyException(String message) {
        super(message);
    }
}
