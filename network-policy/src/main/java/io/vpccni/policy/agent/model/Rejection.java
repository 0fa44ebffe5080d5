package io.vpccni.policy.agent.model;

/** A PolicyEndpoint the agent does not enforce, and why (the message names the field). */
public record Rejection(String namespace, String name, String problem) {
    @Override
    public String toString() {
        return "PolicyEndpoint " + namespace + "/" + name + ": " + problem;
    }
}
