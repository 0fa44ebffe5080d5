package io.vpccni.policy.endpoint;

/** A traffic direction of a pod, spelled as NetworkPolicy's policyTypes and PolicyEndpoint's podIsolation are. */
public enum Direction {
    INGRESS("Ingress"), EGRESS("Egress");

    private final String wire;

    Direction(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    static Direction parse(Object value, String field) {
        for (Direction d : values()) {
            if (d.wire.equals(value)) {
                return d;
            }
        }
        throw new PolicyEndpointFormatException(field + " is " + value + "; expected Ingress or Egress");
    }
}
