package io.vpccni.eni.model;

import java.util.Map;

/** A VPC subnet and how many addresses EC2 says are still free in it. */
public record Subnet(
        String id, String vpcId, String availabilityZone, String cidrBlock, int availableAddresses,
        Map<String, String> tags) {

    /** Subnet discovery (ENABLE_SUBNET_DISCOVERY) tag: present and not "0" means usable for pods. */
    public static final String CNI_ROLE_TAG = "kubernetes.io/role/cni";

    public Subnet {
        tags = Map.copyOf(tags);
    }
}
