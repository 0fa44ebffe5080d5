package io.vpccni.policy.agent.model;

import java.util.Optional;

/** A local pod isolated in at least one direction; an empty direction is open. */
public record PodPolicy(LocalPod pod, Optional<Allowed> ingress, Optional<Allowed> egress) {}
