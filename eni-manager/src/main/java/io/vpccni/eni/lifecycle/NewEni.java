package io.vpccni.eni.lifecycle;

import java.util.List;

/** An ENI to create: where, with which security groups, and what it carries from the start. */
public record NewEni(String subnetId, List<String> securityGroupIds, int secondaryIpCount, int prefixCount) {

    public NewEni {
        securityGroupIds = List.copyOf(securityGroupIds);
        if (secondaryIpCount < 0 || prefixCount < 0 || (secondaryIpCount > 0 && prefixCount > 0)) {
            throw new IllegalArgumentException("an ENI gets secondary IPs or prefixes, not both: "
                    + secondaryIpCount + " IPs, " + prefixCount + " prefixes");
        }
    }

    public static NewEni withIps(String subnetId, List<String> securityGroupIds, int count) {
        return new NewEni(subnetId, securityGroupIds, count, 0);
    }

    public static NewEni withPrefixes(String subnetId, List<String> securityGroupIds, int count) {
        return new NewEni(subnetId, securityGroupIds, 0, count);
    }
}
