package io.vpccni.policy.endpoint;

/** A transport protocol of a policy port; NetworkPolicy v1 allows these three, TCP when none is given. */
public enum Protocol {
    TCP, UDP, SCTP;

    static Protocol parse(Object value, String field) {
        if (value == null) {
            return TCP;
        }
        for (Protocol p : values()) {
            if (p.name().equals(value)) {
                return p;
            }
        }
        throw new PolicyEndpointFormatException(field + " is " + value + "; expected TCP, UDP or SCTP");
    }
}
