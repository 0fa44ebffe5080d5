package io.vpccni.eni.model;

/** Who this node is, from instance metadata. */
public record InstanceIdentity(
    String instanceId, String instanceType, String availabilityZone, String region, String primaryMac,
    String primaryIpv4) {}
