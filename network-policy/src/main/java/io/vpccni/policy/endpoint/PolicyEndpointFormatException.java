package io.vpccni.policy.endpoint;

/** A PolicyEndpoint whose content is not what the schema says; the message names the field. */
public final class PolicyEndpointFormatException extends IllegalArgumentException {
    public PolicyEndpointFormatException(String message) {
        super(message);
    }
}
