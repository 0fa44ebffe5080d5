package io.vpccni.policy.agent.model;

import io.vpccni.policy.endpoint.Protocol;

/** Peers allowed on some ports of one protocol. */
public record PortedRange(AddressRange peers, Protocol protocol, PortRange ports) {}
