package io.vpccni.eni.port;

import io.vpccni.eni.model.Eni;
import io.vpccni.eni.model.InstanceLimits;
import io.vpccni.eni.model.Subnet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The EC2 calls the node makes, in our own types. Implementations throw {@link io.vpccni.eni.error.Ec2Failure}.
 * Each method is one EC2 API call (paginated describes aside), so call counts here are EC2 call counts.
 */
public interface Ec2Api {

    /** CreateNetworkInterface, with secondary IPs or /28 prefixes and tags in the same call. */
    Eni createNetworkInterface(CreateEni request);

    /** AttachNetworkInterface; returns the attachment id. */
    String attachNetworkInterface(String eniId, String instanceId, int deviceIndex);

    /** ModifyNetworkInterfaceAttribute: DeleteOnTermination=true on the attachment. */
    void setDeleteOnTermination(String eniId, String attachmentId);

    /** AssignPrivateIpAddresses; returns the addresses EC2 reports for the ENI after the call. */
    List<String> assignPrivateIpAddresses(String eniId, int count);

    /** UnassignPrivateIpAddresses. */
    void unassignPrivateIpAddresses(String eniId, List<String> addresses);

    /** AssignPrivateIpAddresses with Ipv4PrefixCount; returns the prefixes EC2 reports after the call. */
    List<String> assignIpv4Prefixes(String eniId, int count);

    /** UnassignPrivateIpAddresses with Ipv4Prefixes. */
    void unassignIpv4Prefixes(String eniId, List<String> prefixes);

    /** DetachNetworkInterface. */
    void detachNetworkInterface(String attachmentId, boolean force);

    /** DeleteNetworkInterface. */
    void deleteNetworkInterface(String eniId);

    /** DescribeNetworkInterfaces with the query's filters, all pages. */
    List<Eni> describeNetworkInterfaces(EniQuery query);

    /** CreateTags on one resource. */
    void createTags(String resourceId, Map<String, String> tags);

    /** DescribeSubnets with the query's filters. */
    List<Subnet> describeSubnets(SubnetQuery query);

    /** DescribeInstanceTypes for one type; empty when EC2 does not know it. */
    Optional<InstanceLimits> describeInstanceType(String instanceType);

    /** What to create: exactly one of secondaryIpCount and prefixCount is used (prefix mode when prefixCount > 0). */
    record CreateEni(
            String subnetId, String description, List<String> securityGroupIds, int secondaryIpCount, int prefixCount,
            Map<String, String> tags) {
        public CreateEni {
            securityGroupIds = List.copyOf(securityGroupIds);
            tags = Map.copyOf(tags);
        }
    }

    /** Filters for DescribeNetworkInterfaces; empty fields do not filter. */
    record EniQuery(
            List<String> ids, Optional<String> attachedInstanceId, Optional<String> status, Map<String, String> tags,
            List<String> tagKeys) {
        public EniQuery {
            ids = List.copyOf(ids);
            tags = Map.copyOf(tags);
            tagKeys = List.copyOf(tagKeys);
        }

        public static EniQuery byIds(List<String> ids) {
            return new EniQuery(ids, Optional.empty(), Optional.empty(), Map.of(), List.of());
        }

        public static EniQuery attachedTo(String instanceId) {
            return new EniQuery(List.of(), Optional.of(instanceId), Optional.empty(), Map.of(), List.of());
        }
    }

    /** Filters for DescribeSubnets; empty fields do not filter. */
    record SubnetQuery(List<String> ids, Optional<String> vpcId, Optional<String> availabilityZone,
            List<String> tagKeys) {
        public SubnetQuery {
            ids = List.copyOf(ids);
            tagKeys = List.copyOf(tagKeys);
        }

        public static SubnetQuery byIds(List<String> ids) {
            return new SubnetQuery(ids, Optional.empty(), Optional.empty(), List.of());
        }
    }
}
