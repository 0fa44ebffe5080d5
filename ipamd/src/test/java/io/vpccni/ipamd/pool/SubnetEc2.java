package io.vpccni.ipamd.pool;

import io.vpccni.eni.error.Ec2Failure;
import io.vpccni.eni.model.Eni;
import io.vpccni.eni.model.InstanceLimits;
import io.vpccni.eni.model.Subnet;
import io.vpccni.eni.port.Ec2Api;
import io.vpccni.ipamd.datastore.Ipv4Address;
import io.vpccni.ipamd.datastore.Ipv4Cidr;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * An in-memory EC2 with one subnet and one instance, for the pool maintainer's tests: one allocator for the subnet
 * (reserved addresses never given, an address is either free or on one ENI or taken by {@link #occupy someone
 * else}), /28 prefixes only where an aligned /28 is wholly free (else InsufficientCidrBlocks), single addresses
 * until none is left (else InsufficientFreeAddressesInSubnet), and the per-ENI limit counting /32s and /28s alike
 * (PrivateIpAddressLimitExceeded). Replies carry only what a call assigned, as EC2's do. Not thread-safe: the tests
 * drive the maintainer's ticks from one thread.
 */
final class SubnetEc2 implements Ec2Api {

    static final String SUBNET_ID = "subnet-1";
    static final String INSTANCE_ID = "i-1";

    final Ipv4Cidr subnet;
    private final InstanceLimits limits;
    private final Set<Ipv4Address> taken = new HashSet<>();
    private final Map<String, Eni> enis = new LinkedHashMap<>();
    private final Map<String, Integer> calls = new TreeMap<>();
    private int nextId;

    SubnetEc2(Ipv4Cidr subnet, InstanceLimits limits) {
        this.subnet = subnet;
        this.limits = limits;
        // EC2 reserves the first four addresses and the last one of every subnet.
        for (int i = 0; i < 4; i++) {
            taken.add(subnet.address(i));
        }
        taken.add(subnet.address(subnet.size() - 1));
    }

    /** The instance's primary ENI, attached at device 0. */
    Eni primaryEni() {
        Eni eni = attached(newEni(takeIps("RunInstances", 1).getFirst(), List.of(), List.of()), 0);
        enis.put(eni.id(), eni);
        return eni;
    }

    /** Someone else's address (another node, a load balancer): fragments the subnet. */
    void occupy(Ipv4Address address) {
        if (!subnet.contains(address) || !taken.add(address)) {
            throw new IllegalArgumentException(address + " is not a free address of " + subnet);
        }
    }

    void vacate(Ipv4Address address) {
        taken.remove(address);
    }

    Eni eni(String id) {
        return enis.get(id);
    }

    int calls(String api) {
        return calls.getOrDefault(api, 0);
    }

    @Override
    public Eni createNetworkInterface(CreateEni request) {
        count("CreateNetworkInterface");
        requireSlots("CreateNetworkInterface", 0, request.secondaryIpCount() + request.prefixCount());
        List<String> prefixes = takePrefixes("CreateNetworkInterface", request.prefixCount());
        List<String> ips;
        try {
            ips = takeIps("CreateNetworkInterface", request.secondaryIpCount() + 1);
        } catch (Ec2Failure failure) {
            free(prefixes);
            throw failure;
        }
        Eni eni = newEni(ips.getFirst(), ips.subList(1, ips.size()), prefixes);
        eni = new Eni(eni.id(), eni.mac(), eni.subnetId(), eni.primaryIp(), eni.secondaryIps(), eni.prefixes(), -1,
                Optional.empty(), Optional.empty(), "available", request.description(), request.securityGroupIds(),
                request.tags());
        enis.put(eni.id(), eni);
        return eni;
    }

    @Override
    public String attachNetworkInterface(String eniId, String instanceId, int deviceIndex) {
        count("AttachNetworkInterface");
        Eni eni = require("AttachNetworkInterface", eniId);
        enis.put(eniId, attached(eni, deviceIndex));
        return "attach-" + eniId;
    }

    @Override
    public void setDeleteOnTermination(String eniId, String attachmentId) {
        count("ModifyNetworkInterfaceAttribute");
    }

    @Override
    public List<String> assignPrivateIpAddresses(String eniId, int count) {
        return assign(eniId, count, false);
    }

    @Override
    public void unassignPrivateIpAddresses(String eniId, List<String> addresses) {
        count("UnassignPrivateIpAddresses");
        Eni eni = require("UnassignPrivateIpAddresses", eniId);
        addresses.forEach(ip -> taken.remove(Ipv4Address.parse(ip)));
        enis.put(eniId, with(eni, eni.secondaryIps().stream().filter(ip -> !addresses.contains(ip)).toList(),
                eni.prefixes()));
    }

    @Override
    public List<String> assignIpv4Prefixes(String eniId, int count) {
        return assign(eniId, count, true);
    }

    /** AssignPrivateIpAddresses with SecondaryPrivateIpAddressCount or Ipv4PrefixCount: one slot each, either kind. */
    private List<String> assign(String eniId, int count, boolean prefixes) {
        String operation = "AssignPrivateIpAddresses";
        count(operation);
        Eni eni = require(operation, eniId);
        requireSlots(operation, eni.secondaryIps().size() + eni.prefixes().size(), count);
        List<String> added = prefixes ? takePrefixes(operation, count) : takeIps(operation, count);
        List<String> kind = new ArrayList<>(prefixes ? eni.prefixes() : eni.secondaryIps());
        kind.addAll(added);
        enis.put(eniId, prefixes ? with(eni, eni.secondaryIps(), kind) : with(eni, kind, eni.prefixes()));
        return added;
    }

    @Override
    public void unassignIpv4Prefixes(String eniId, List<String> prefixes) {
        count("UnassignPrivateIpAddresses");
        Eni eni = require("UnassignPrivateIpAddresses", eniId);
        free(prefixes);
        enis.put(eniId, with(eni, eni.secondaryIps(), eni.prefixes().stream().filter(p -> !prefixes.contains(p))
                .toList()));
    }

    @Override
    public void detachNetworkInterface(String attachmentId, boolean force) {
        count("DetachNetworkInterface");
        Eni eni = enis.values().stream().filter(e -> e.attachmentId().equals(Optional.of(attachmentId))).findFirst()
                .orElseThrow(() -> new Ec2Failure.NotFound("DetachNetworkInterface",
                        "InvalidAttachmentID.NotFound", attachmentId, null));
        enis.put(eni.id(), new Eni(eni.id(), eni.mac(), eni.subnetId(), eni.primaryIp(), eni.secondaryIps(),
                eni.prefixes(), -1, Optional.empty(), Optional.empty(), "available", eni.description(),
                eni.securityGroupIds(), eni.tags()));
    }

    @Override
    public void deleteNetworkInterface(String eniId) {
        count("DeleteNetworkInterface");
        Eni eni = require("DeleteNetworkInterface", eniId);
        unassignIpv4Prefixes(eniId, eni.prefixes());
        unassignPrivateIpAddresses(eniId, eni.secondaryIps());
        taken.remove(Ipv4Address.parse(eni.primaryIp()));
        enis.remove(eniId);
    }

    @Override
    public List<Eni> describeNetworkInterfaces(EniQuery query) {
        count("DescribeNetworkInterfaces");
        return enis.values().stream()
                .filter(e -> query.ids().isEmpty() || query.ids().contains(e.id()))
                .filter(e -> query.attachedInstanceId().isEmpty() || query.attachedInstanceId().equals(e.attachedInstanceId()))
                .toList();
    }

    @Override
    public void createTags(String resourceId, Map<String, String> tags) {
        count("CreateTags");
    }

    @Override
    public List<Subnet> describeSubnets(SubnetQuery query) {
        count("DescribeSubnets");
        return List.of(new Subnet(SUBNET_ID, "vpc-1", "us-east-1a", subnet.toString(), subnet.size() - taken.size(),
                Map.of()));
    }

    @Override
    public Optional<InstanceLimits> describeInstanceType(String instanceType) {
        count("DescribeInstanceTypes");
        return instanceType.equals(limits.instanceType()) ? Optional.of(limits) : Optional.empty();
    }

    private List<String> takeIps(String operation, int count) {
        List<String> ips = new ArrayList<>();
        for (int i = 0; i < subnet.size() && ips.size() < count; i++) {
            if (!taken.contains(subnet.address(i))) {
                ips.add(subnet.address(i).toString());
            }
        }
        if (ips.size() < count) {
            throw new Ec2Failure.SubnetFull(operation, "InsufficientFreeAddressesInSubnet",
                    "The specified subnet does not have enough free addresses to satisfy the request.", null);
        }
        ips.forEach(ip -> taken.add(Ipv4Address.parse(ip)));
        return ips;
    }

    private List<String> takePrefixes(String operation, int count) {
        List<Ipv4Cidr> blocks = new ArrayList<>();
        for (int start = 0; start < subnet.size() && blocks.size() < count; start += 16) {
            Ipv4Cidr block = new Ipv4Cidr(subnet.address(start), 28);
            boolean free = true;
            for (int i = 0; i < 16; i++) {
                free &= !taken.contains(block.address(i));
            }
            if (free) {
                blocks.add(block);
            }
        }
        if (blocks.size() < count) {
            throw new Ec2Failure.SubnetFull(operation, "InsufficientCidrBlocks",
                    "The specified subnet does not have enough contiguous free address space.", null);
        }
        blocks.forEach(b -> {
            for (int i = 0; i < 16; i++) {
                taken.add(b.address(i));
            }
        });
        return blocks.stream().map(Ipv4Cidr::toString).toList();
    }

    private void free(List<String> prefixes) {
        for (String prefix : prefixes) {
            Ipv4Cidr block = Ipv4Cidr.parse(prefix);
            for (int i = 0; i < block.size(); i++) {
                taken.remove(block.address(i));
            }
        }
    }

    private void requireSlots(String operation, int used, int more) {
        if (used + more > limits.secondarySlotsPerEni()) {
            throw new Ec2Failure.LimitExceeded(operation, "PrivateIpAddressLimitExceeded",
                    "Number of private addresses will exceed limit.", null);
        }
    }

    private Eni require(String operation, String eniId) {
        Eni eni = enis.get(eniId);
        if (eni == null) {
            throw new Ec2Failure.NotFound(operation, "InvalidNetworkInterfaceID.NotFound", eniId, null);
        }
        return eni;
    }

    private Eni newEni(String primary, List<String> ips, List<String> prefixes) {
        int n = nextId++;
        return new Eni("eni-" + n, "02:00:00:00:00:%02x".formatted(n), SUBNET_ID, primary, ips, prefixes, -1,
                Optional.empty(), Optional.empty(), "available", "", List.of("sg-1"), Map.of());
    }

    private static Eni attached(Eni eni, int deviceIndex) {
        return new Eni(eni.id(), eni.mac(), eni.subnetId(), eni.primaryIp(), eni.secondaryIps(), eni.prefixes(),
                deviceIndex, Optional.of("attach-" + eni.id()), Optional.of(INSTANCE_ID), "in-use", eni.description(),
                eni.securityGroupIds(), eni.tags());
    }

    private static Eni with(Eni eni, List<String> ips, List<String> prefixes) {
        return new Eni(eni.id(), eni.mac(), eni.subnetId(), eni.primaryIp(), ips, prefixes, eni.deviceIndex(),
                eni.attachmentId(), eni.attachedInstanceId(), eni.status(), eni.description(),
                eni.securityGroupIds(), eni.tags());
    }

    private void count(String api) {
        calls.merge(api, 1, Integer::sum);
    }
}
