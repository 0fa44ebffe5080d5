package io.vpccni.eni.fake;

import io.vpccni.eni.aws.AwsErrors;
import io.vpccni.eni.aws.Ec2QueryException;
import io.vpccni.eni.error.Ec2Failure;
import io.vpccni.eni.model.Eni;
import io.vpccni.eni.model.EniMetadata;
import io.vpccni.eni.model.InstanceIdentity;
import io.vpccni.eni.model.InstanceLimits;
import io.vpccni.eni.model.Subnet;
import io.vpccni.eni.port.Ec2Api;
import io.vpccni.eni.port.InstanceMetadata.MetadataUnavailable;
import io.vpccni.netlink.ip.Ipv4Address;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * EC2 in memory, one VPC, for unit tests that need ENIs, subnets and instances without the emulator. It behaves as
 * EC2's API reference documents (and as the emulator's fidelity layer does; {@code Ec2ContractSuite} holds both to
 * it): one address allocator per subnet with AWS's five reserved addresses, aligned /28 prefixes, the instance
 * type's ENI and per-ENI limits (slots are the primary address, the secondary ones and the prefixes),
 * DeleteOnTermination on termination, no delete of an attached ENI. Refusals carry EC2's error codes and are
 * classified by {@link AwsErrors}, so callers see exactly the {@link Ec2Failure}s the production adapter raises.
 *
 * <p>Hooks for tests: {@link #failNext} answers the next calls of an operation with a fault, {@link #delay} makes
 * each call of an operation take a while (through the {@link Sleeper}, which tests can replace),
 * {@link #attachmentLatency} keeps a new attachment out of instance metadata for a while (on its clock),
 * {@link #throttling} turns on EC2's request token buckets (on its clock; off by default), {@link #realisticTiming}
 * sets the emulator's default latencies and throttling at once, and {@link #calls} counts the calls of each
 * operation ({@link #throttled} those refused with RequestLimitExceeded). Thread-safe: state changes under one lock, delays outside it.
 */
public final class FakeEc2Api implements Ec2Api {

    public static final String REGION = "us-east-1";
    public static final String DEFAULT_ZONE = REGION + "a";

    /** The EC2 API names of the calls the port makes, as {@link Ec2Failure#operation()} reports them. */
    public static final Set<String> OPERATIONS = Set.of("CreateNetworkInterface", "AttachNetworkInterface",
            "ModifyNetworkInterfaceAttribute", "AssignPrivateIpAddresses", "UnassignPrivateIpAddresses",
            "DetachNetworkInterface", "DeleteNetworkInterface", "DescribeNetworkInterfaces", "CreateTags",
            "DescribeSubnets", "DescribeInstanceTypes", "DescribeInstances");

    /**
     * The emulator's default latencies (README, "The EC2 emulator"; AWS documents none): typical figures, the same
     * as {@code EmulatorTiming}'s realistic timing, so runs on the fake and on the emulator can be compared.
     */
    public static final Map<String, Duration> REALISTIC_LATENCY = Map.of(
            "CreateNetworkInterface", Duration.ofMillis(400),
            "AssignPrivateIpAddresses", Duration.ofMillis(200),
            "UnassignPrivateIpAddresses", Duration.ofMillis(150),
            "AttachNetworkInterface", Duration.ofMillis(150),
            "DetachNetworkInterface", Duration.ofMillis(150),
            "DeleteNetworkInterface", Duration.ofMillis(150));

    /** How long an attachment stays {@code attaching} with the emulator's realistic timing. */
    public static final Duration REALISTIC_ATTACHMENT_LATENCY = Duration.ofSeconds(3);

    /**
     * DescribeInstanceTypes' MaximumNetworkInterfaces and Ipv4AddressesPerInterface (all Nitro, one network card);
     * the kubelet max-pods of eni-max-pods.txt (ENIs * (addresses - 1) + 2) agrees for each.
     */
    private static final Map<String, InstanceLimits> INSTANCE_TYPES = Map.of(
            "t3.small", new InstanceLimits("t3.small", 3, 4, 1, true),
            "t3.medium", new InstanceLimits("t3.medium", 3, 6, 1, true),
            "m5.large", new InstanceLimits("m5.large", 3, 10, 1, true),
            "m5.xlarge", new InstanceLimits("m5.xlarge", 4, 15, 1, true),
            "c5.large", new InstanceLimits("c5.large", 3, 10, 1, true));

    /** The largest Ipv4AddressesPerInterface of any instance type: what an ENI that is not attached may hold. */
    static final int UNATTACHED_ADDRESS_LIMIT = 50;

    private final String vpcId;
    private final String vpcCidr;
    private final String defaultSecurityGroup;
    private final InstantSource clock;
    private final Sleeper sleeper;
    private final Random random;

    private final Map<String, SubnetState> subnets = new LinkedHashMap<>();
    private final Map<String, InstanceState> instances = new LinkedHashMap<>();
    private final Map<String, EniState> enis = new LinkedHashMap<>();
    private final AtomicLong lastId = new AtomicLong();

    private final Map<String, Duration> delays = new ConcurrentHashMap<>();
    private final Map<String, Queue<PendingFault>> faults = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> throttled = new ConcurrentHashMap<>();
    private final TokenBuckets buckets;
    private volatile boolean throttling;
    private volatile Duration attachmentLatency = Duration.ZERO;

    /** A VPC 10.0.0.0/16, the system clock, real waits, and a fixed seed for the choice of addresses. */
    public FakeEc2Api() {
        this("10.0.0.0/16", Clock.systemUTC(), Sleeper.REAL, 1);
    }

    /**
     * @param vpcCidr the VPC's block, a /16
     * @param clock   when an attachment becomes visible to instance metadata
     * @param seed    EC2 spreads addresses over the subnet; the fake does too, reproducibly
     */
    public FakeEc2Api(String vpcCidr, InstantSource clock, Sleeper sleeper, long seed) {
        if (!vpcCidr.endsWith("/16")) {
            throw new IllegalArgumentException("the fake's VPC is a /16, not " + vpcCidr);
        }
        new SubnetAddresses(vpcCidr); // validates the address
        this.vpcCidr = vpcCidr;
        this.clock = clock;
        this.sleeper = sleeper;
        this.random = new Random(seed);
        this.buckets = new TokenBuckets(clock);
        this.vpcId = newId("vpc-");
        this.defaultSecurityGroup = newId("sg-");
    }

    // --- the world around the node: calls the node never makes ----------------------------------------------------

    public String vpcId() {
        return vpcId;
    }

    public String vpcCidr() {
        return vpcCidr;
    }

    /** The security group ENIs get when created without one (the VPC's default group). */
    public String defaultSecurityGroup() {
        return defaultSecurityGroup;
    }

    public static Set<String> instanceTypes() {
        return INSTANCE_TYPES.keySet();
    }

    public String createSubnet(String cidrBlock) {
        return createSubnet(cidrBlock, DEFAULT_ZONE, Map.of());
    }

    /** CreateSubnet: a block inside the VPC that overlaps no other subnet. */
    public synchronized String createSubnet(String cidrBlock, String zone, Map<String, String> tags) {
        SubnetAddresses block = new SubnetAddresses(cidrBlock);
        String[] parts = cidrBlock.split("/");
        if (!new SubnetAddresses(vpcCidr).contains(parts[0])) {
            throw new IllegalArgumentException(cidrBlock + " is not inside the VPC's " + vpcCidr);
        }
        for (SubnetState other : subnets.values()) {
            if (block.contains(other.cidr.split("/")[0]) || new SubnetAddresses(other.cidr).contains(parts[0])) {
                throw new IllegalArgumentException(cidrBlock + " overlaps " + other.id + " (" + other.cidr + ")");
            }
        }
        String id = newId("subnet-");
        subnets.put(id, new SubnetState(id, cidrBlock, zone, new LinkedHashMap<>(tags)));
        return id;
    }

    /** RunInstances: a running instance with its primary ENI (DeleteOnTermination) at device index 0. */
    public synchronized String runInstance(String subnetId, String instanceType) {
        if (!INSTANCE_TYPES.containsKey(instanceType)) {
            throw new IllegalArgumentException("the fake knows instance types " + new TreeMap<>(INSTANCE_TYPES).keySet()
                    + ", not " + instanceType);
        }
        SubnetState subnet = subnets.get(subnetId);
        if (subnet == null) {
            throw new IllegalArgumentException("no subnet " + subnetId);
        }
        List<String> primary = addresses(subnet).allocate(1, random);
        if (primary == null) {
            throw refusal("RunInstances", "InsufficientFreeAddressesInSubnet", "no free address in " + subnetId);
        }
        String instanceId = newId("i-");
        instances.put(instanceId, new InstanceState(instanceId, instanceType, subnetId));
        EniState eni = newEni(subnet, primary.getFirst(), "Primary network interface", List.of(), Map.of());
        eni.attachment = new Attachment(newId("eni-attach-"), instanceId, 0, true, clock.instant());
        return instanceId;
    }

    /** TerminateInstances: ENIs marked DeleteOnTermination are deleted, the others detached. */
    public synchronized void terminate(String instanceId) {
        InstanceState instance = instances.get(instanceId);
        if (instance == null) {
            throw new IllegalArgumentException("no instance " + instanceId);
        }
        instance.running = false;
        for (EniState eni : List.copyOf(enis.values())) {
            if (eni.attachment != null && eni.attachment.instanceId.equals(instanceId)) {
                if (eni.attachment.deleteOnTermination) {
                    enis.remove(eni.id);
                } else {
                    eni.attachment = null;
                }
            }
        }
    }

    /**
     * CreateNetworkInterface by another party (another node, a load balancer) with explicit PrivateIpAddresses: the
     * first is the ENI's primary address, the others its secondary ones. Fragments a subnet as nothing the node does
     * can. Refused as EC2 refuses explicit addresses: InvalidIPAddress.InUse for one an ENI holds (a prefix
     * included), InvalidParameterValue for one outside the subnet or reserved by AWS, and
     * PrivateIpAddressLimitExceeded past what one ENI may hold. Returns the ENI's id; deleting the ENI frees them.
     */
    public synchronized String occupy(String subnetId, List<String> privateIps) {
        String operation = "CreateNetworkInterface";
        SubnetState subnet = subnets.get(subnetId);
        if (subnet == null) {
            throw refusal(operation, "InvalidSubnetID.NotFound", "The subnet ID '" + subnetId + "' does not exist");
        }
        if (privateIps.isEmpty() || privateIps.size() > UNATTACHED_ADDRESS_LIMIT) {
            throw refusal(operation, privateIps.isEmpty() ? "InvalidParameterValue" : "PrivateIpAddressLimitExceeded",
                    "an ENI holds 1 to " + UNATTACHED_ADDRESS_LIMIT + " private addresses, not " + privateIps.size());
        }
        SubnetAddresses pool = addresses(subnet);
        for (String ip : privateIps) {
            if (!pool.contains(ip) || pool.isReserved(ip)) {
                throw refusal(operation, "InvalidParameterValue", "Address " + ip + " does not fall within the"
                        + " subnet's address range or is reserved: " + subnet.cidr);
            }
            if (pool.isHeld(ip)) {
                throw refusal(operation, "InvalidIPAddress.InUse", "The specified address is already in use: " + ip);
            }
            pool.hold(ip);
        }
        EniState eni = newEni(subnet, privateIps.getFirst(), "another party's", List.of(), Map.of());
        eni.secondaries.addAll(privateIps.subList(1, privateIps.size()));
        return eni.id;
    }

    /**
     * Another party {@link #occupy occupies} address 5 of every aligned /28 of the subnet that is wholly free, so that
     * EC2 has no /28 left to give (InsufficientCidrBlocks) while 15 of every 16 of those addresses are still free.
     * Returns the other party's ENIs, one per /28.
     */
    public synchronized List<String> fragment(String subnetId) {
        SubnetState subnet = subnets.get(subnetId);
        if (subnet == null) {
            throw new IllegalArgumentException("no subnet " + subnetId);
        }
        List<String> blockers = new ArrayList<>();
        for (String prefix : addresses(subnet).freePrefixes()) {
            blockers.add(occupy(subnetId, List.of(Ipv4Address.parse(prefix).plus(5).toString())));
        }
        return blockers;
    }

    /** The subnet's free addresses now, as DescribeSubnets' AvailableIpAddressCount would say, without a call. */
    public synchronized int freeAddresses(String subnetId) {
        SubnetState subnet = subnets.get(subnetId);
        if (subnet == null) {
            throw new IllegalArgumentException("no subnet " + subnetId);
        }
        return addresses(subnet).freeCount();
    }

    /** Instance metadata as the instance sees it. */
    public FakeInstanceMetadata instanceMetadata(String instanceId) {
        return new FakeInstanceMetadata(this, instanceId);
    }

    // --- hooks -----------------------------------------------------------------------------------------------------

    /** The next {@code times} calls of the operation fail with the fault and change nothing. */
    public void failNext(String operation, int times, Fault fault) {
        requireOperation(operation);
        if (times < 1) {
            throw new IllegalArgumentException("times must be at least 1, not " + times);
        }
        faults.computeIfAbsent(operation, k -> new ConcurrentLinkedQueue<>())
                .add(new PendingFault(fault, new AtomicLong(times)));
    }

    /** Faults not used up yet are dropped. */
    public void clearFaults() {
        faults.clear();
    }

    /** Every call of the operation takes this long before it answers; zero for none. */
    public void delay(String operation, Duration delay) {
        requireOperation(operation);
        if (delay.isNegative()) {
            throw new IllegalArgumentException("a delay is not negative: " + delay);
        }
        if (delay.isZero()) {
            delays.remove(operation);
        } else {
            delays.put(operation, delay);
        }
    }

    /** A new attachment shows in instance metadata only this long (on the clock) after AttachNetworkInterface. */
    public void attachmentLatency(Duration latency) {
        if (latency.isNegative()) {
            throw new IllegalArgumentException("a latency is not negative: " + latency);
        }
        attachmentLatency = latency;
    }

    /**
     * EC2's request token buckets per API of the account (mutating 50 tokens refilled at 5 per second, describes
     * with ids or filters 100 at 20, describes without 50 at 10), on the fake's clock: a call without a token is
     * answered RequestLimitExceeded at once and changes nothing. Off by default; turning it on or off refills them.
     */
    public void throttling(boolean on) {
        buckets.reset();
        throttling = on;
    }

    /** The emulator's realistic timing: {@link #REALISTIC_LATENCY}, {@link #REALISTIC_ATTACHMENT_LATENCY}, throttling. */
    public void realisticTiming() {
        REALISTIC_LATENCY.forEach(this::delay);
        attachmentLatency(REALISTIC_ATTACHMENT_LATENCY);
        throttling(true);
    }

    /** Calls of the operation answered RequestLimitExceeded by the token buckets (they count in {@link #calls} too). */
    public long throttled(String operation) {
        requireOperation(operation);
        AtomicLong count = throttled.get(operation);
        return count == null ? 0 : count.get();
    }

    /** Calls of every operation answered RequestLimitExceeded by the token buckets. */
    public long totalThrottled() {
        return throttled.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** Calls of the operation so far, failed ones included. */
    public long calls(String operation) {
        requireOperation(operation);
        AtomicLong count = calls.get(operation);
        return count == null ? 0 : count.get();
    }

    /** Calls of every operation so far. */
    public long totalCalls() {
        return calls.values().stream().mapToLong(AtomicLong::get).sum();
    }

    // --- the port ----------------------------------------------------------------------------------------------

    @Override
    public Eni createNetworkInterface(CreateEni request) {
        return call("CreateNetworkInterface", () -> {
            SubnetState subnet = subnet(request.subnetId());
            // The adapter sends Ipv4PrefixCount when prefixCount > 0, SecondaryPrivateIpAddressCount otherwise.
            int prefixes = Math.max(0, request.prefixCount());
            int secondaries = prefixes > 0 ? 0 : request.secondaryIpCount();
            if (secondaries < 0) {
                throw new Refused("InvalidParameterValue", "SecondaryPrivateIpAddressCount must not be negative");
            }
            int total = 1 + secondaries + prefixes;
            if (total > UNATTACHED_ADDRESS_LIMIT) {
                throw new Refused("PrivateIpAddressLimitExceeded", "Number of private addresses " + total
                        + " exceeds the limit " + UNATTACHED_ADDRESS_LIMIT + ".");
            }
            SubnetAddresses pool = addresses(subnet);
            List<String> ips = allocate(pool, 1 + secondaries, false);
            List<String> chosenPrefixes = allocate(pool, prefixes, true);
            EniState eni = newEni(subnet, ips.getFirst(), request.description(), request.securityGroupIds(),
                    request.tags());
            eni.secondaries.addAll(ips.subList(1, ips.size()));
            eni.prefixes.addAll(chosenPrefixes);
            return eni.view();
        });
    }

    @Override
    public String attachNetworkInterface(String eniId, String instanceId, int deviceIndex) {
        return call("AttachNetworkInterface", () -> {
            EniState eni = eni(eniId);
            InstanceState instance = instances.get(instanceId);
            if (instance == null) {
                throw new Refused("InvalidInstanceID.NotFound", "The instance ID '" + instanceId + "' does not exist");
            }
            if (eni.attachment != null) {
                throw new Refused("InvalidNetworkInterface.InUse", "Interface: [" + eniId + "] in use.");
            }
            if (!instance.running) {
                throw new Refused("IncorrectInstanceState", "The instance '" + instanceId
                        + "' is not in a state from which it can be attached.");
            }
            List<EniState> attached = attachedTo(instanceId);
            if (deviceIndex < 0 || attached.stream().anyMatch(e -> e.attachment.deviceIndex == deviceIndex)) {
                throw new Refused("InvalidParameterValue", "Instance '" + instanceId
                        + "' already has an interface attached at device index '" + deviceIndex + "'.");
            }
            InstanceLimits limits = INSTANCE_TYPES.get(instance.type);
            if (attached.size() >= limits.maxEnis()) {
                throw new Refused("AttachmentLimitExceeded", "Interface count " + (attached.size() + 1)
                        + " can not exceed the limit for " + instance.type);
            }
            if (eni.slots() > limits.ipv4PerEni()) {
                throw new Refused("PrivateIpAddressLimitExceeded", eniId + " has " + eni.slots()
                        + " addresses and prefixes; " + instance.type + " allows " + limits.ipv4PerEni()
                        + " per interface.");
            }
            eni.attachment = new Attachment(newId("eni-attach-"), instanceId, deviceIndex, false,
                    clock.instant().plus(attachmentLatency));
            return eni.attachment.id;
        });
    }

    @Override
    public void setDeleteOnTermination(String eniId, String attachmentId) {
        call("ModifyNetworkInterfaceAttribute", () -> {
            EniState eni = eni(eniId);
            if (eni.attachment == null || !eni.attachment.id.equals(attachmentId)) {
                throw new Refused("InvalidAttachmentID.NotFound",
                        "The attachment ID '" + attachmentId + "' does not exist for " + eniId);
            }
            eni.attachment = eni.attachment.deletedOnTermination();
            return null;
        });
    }

    @Override
    public List<String> assignPrivateIpAddresses(String eniId, int count) {
        return call("AssignPrivateIpAddresses", () -> assign(eniId, count, false));
    }

    @Override
    public void unassignPrivateIpAddresses(String eniId, List<String> addresses) {
        call("UnassignPrivateIpAddresses", () -> unassign(eniId, addresses, false));
    }

    @Override
    public List<String> assignIpv4Prefixes(String eniId, int count) {
        return call("AssignPrivateIpAddresses", () -> assign(eniId, count, true));
    }

    @Override
    public void unassignIpv4Prefixes(String eniId, List<String> prefixes) {
        call("UnassignPrivateIpAddresses", () -> unassign(eniId, prefixes, true));
    }

    @Override
    public void detachNetworkInterface(String attachmentId, boolean force) {
        call("DetachNetworkInterface", () -> {
            EniState eni = enis.values().stream()
                    .filter(e -> e.attachment != null && e.attachment.id.equals(attachmentId))
                    .findFirst()
                    .orElseThrow(() -> new Refused("InvalidAttachmentID.NotFound",
                            "The attachment ID '" + attachmentId + "' does not exist"));
            if (eni.attachment.deviceIndex == 0) {
                throw new Refused("OperationNotPermitted",
                        "The network interface at device index 0 cannot be detached.");
            }
            eni.attachment = null;
            return null;
        });
    }

    @Override
    public void deleteNetworkInterface(String eniId) {
        call("DeleteNetworkInterface", () -> {
            EniState eni = eni(eniId);
            if (eni.attachment != null) {
                throw new Refused("InvalidNetworkInterface.InUse",
                        "The network interface '" + eniId + "' is currently in use.");
            }
            enis.remove(eniId);
            return null;
        });
    }

    @Override
    public List<Eni> describeNetworkInterfaces(EniQuery query) {
        boolean narrowed = !query.ids().isEmpty() || query.attachedInstanceId().isPresent()
                || query.status().isPresent() || !query.tags().isEmpty() || !query.tagKeys().isEmpty();
        return call("DescribeNetworkInterfaces", narrowed, () -> {
            List<String> unknown = query.ids().stream().filter(id -> !enis.containsKey(id)).toList();
            if (!unknown.isEmpty()) {
                throw new Refused("InvalidNetworkInterfaceID.NotFound",
                        "The networkInterface ID '" + String.join(",", unknown) + "' does not exist");
            }
            return enis.values().stream()
                    .filter(e -> query.ids().isEmpty() || query.ids().contains(e.id))
                    .filter(e -> query.attachedInstanceId().isEmpty() || e.attachment != null
                            && e.attachment.instanceId.equals(query.attachedInstanceId().get()))
                    .filter(e -> query.status().isEmpty() || query.status().get().equals(e.status()))
                    .filter(e -> query.tags().entrySet().stream()
                            .allMatch(t -> t.getValue().equals(e.tags.get(t.getKey()))))
                    .filter(e -> e.tags.keySet().containsAll(query.tagKeys()))
                    .map(EniState::view)
                    .toList();
        });
    }

    @Override
    public void createTags(String resourceId, Map<String, String> tags) {
        call("CreateTags", () -> {
            if (enis.containsKey(resourceId)) {
                enis.get(resourceId).tags.putAll(tags);
            } else if (subnets.containsKey(resourceId)) {
                subnets.get(resourceId).tags.putAll(tags);
            } else {
                throw new Refused("InvalidID", "The ID '" + resourceId + "' is not valid");
            }
            return null;
        });
    }

    @Override
    public List<Subnet> describeSubnets(SubnetQuery query) {
        boolean narrowed = !query.ids().isEmpty() || query.vpcId().isPresent() || query.availabilityZone().isPresent()
                || !query.tagKeys().isEmpty();
        return call("DescribeSubnets", narrowed, () -> {
            List<String> unknown = query.ids().stream().filter(id -> !subnets.containsKey(id)).toList();
            if (!unknown.isEmpty()) {
                throw new Refused("InvalidSubnetID.NotFound",
                        "The subnet ID '" + String.join(",", unknown) + "' does not exist");
            }
            return subnets.values().stream()
                    .filter(s -> query.ids().isEmpty() || query.ids().contains(s.id))
                    .filter(s -> query.vpcId().isEmpty() || query.vpcId().get().equals(vpcId))
                    .filter(s -> query.availabilityZone().isEmpty() || query.availabilityZone().get().equals(s.zone))
                    .filter(s -> s.tags.keySet().containsAll(query.tagKeys()))
                    .map(s -> new Subnet(s.id, vpcId, s.zone, s.cidr, addresses(s).freeCount(), s.tags))
                    .toList();
        });
    }

    @Override
    public Optional<InstanceLimits> describeInstanceType(String instanceType) {
        return call("DescribeInstanceTypes", () -> Optional.ofNullable(INSTANCE_TYPES.get(instanceType)));
    }

    /**
     * DescribeInstances of one instance: not a call of the port (our node never makes it); aws-vpc-cni makes it
     * around each ENI attach, so a model of its call pattern spends it here, through the same latency and buckets.
     * Answers the device indexes of the ENIs attached to the instance.
     */
    public List<Integer> describeInstance(String instanceId) {
        return call("DescribeInstances", true, () -> {
            if (!instances.containsKey(instanceId)) {
                throw new Refused("InvalidInstanceID.NotFound", "The instance ID '" + instanceId + "' does not exist");
            }
            return attachedTo(instanceId).stream().map(e -> e.attachment.deviceIndex).sorted().toList();
        });
    }

    // --- what instance metadata reads ----------------------------------------------------------------------------

    synchronized InstanceIdentity identity(String instanceId) {
        InstanceState instance = runningInstance(instanceId);
        EniState primary = attachedTo(instanceId).stream().filter(e -> e.attachment.deviceIndex == 0).findFirst()
                .orElseThrow(() -> new MetadataUnavailable(instanceId + " has no primary ENI", null));
        return new InstanceIdentity(instanceId, instance.type, subnets.get(instance.subnetId).zone, REGION,
                primary.mac, primary.primaryIp);
    }

    /** The ENIs attached to the instance whose attachment the instance sees by now, by device index. */
    synchronized List<EniMetadata> visibleEnis(String instanceId) {
        runningInstance(instanceId);
        Instant now = clock.instant();
        return attachedTo(instanceId).stream()
                .filter(e -> !e.attachment.visibleAt.isAfter(now))
                .sorted(Comparator.comparingInt(e -> e.attachment.deviceIndex))
                .map(e -> {
                    List<String> local = new ArrayList<>();
                    local.add(e.primaryIp);
                    local.addAll(e.secondaries);
                    return new EniMetadata(e.mac, e.id, e.attachment.deviceIndex, e.subnetId, vpcId, e.groups, local,
                            e.prefixes, subnets.get(e.subnetId).cidr, List.of(vpcCidr));
                })
                .toList();
    }

    private InstanceState runningInstance(String instanceId) {
        InstanceState instance = instances.get(instanceId);
        if (instance == null || !instance.running) {
            throw new MetadataUnavailable("instance " + instanceId + " is not running", null);
        }
        return instance;
    }

    // --- internals ---------------------------------------------------------------------------------------------

    private <T> T call(String operation, Supplier<T> body) {
        return call(operation, true, body);
    }

    /** @param narrowed a describe with ids or filters (EC2 throttles the others from a smaller bucket) */
    private <T> T call(String operation, boolean narrowed, Supplier<T> body) {
        calls.computeIfAbsent(operation, k -> new AtomicLong()).incrementAndGet();
        if (throttling && !buckets.take(operation, TokenBuckets.Category.of(operation, narrowed))) {
            throttled.computeIfAbsent(operation, k -> new AtomicLong()).incrementAndGet();
            throw AwsErrors.classify(operation, Fault.throttled().exception());
        }
        Duration delay = delays.get(operation);
        if (delay != null) {
            try {
                sleeper.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw AwsErrors.classify(operation,
                        new Ec2QueryException.NoAnswer("interrupted while waiting for EC2", e));
            }
        }
        Fault fault = nextFault(operation);
        if (fault != null) {
            throw AwsErrors.classify(operation, fault.exception());
        }
        try {
            synchronized (this) {
                return body.get();
            }
        } catch (Refused refused) {
            throw refusal(operation, refused.code, refused.getMessage());
        }
    }

    /** The fault this call answers with, if one is pending: the oldest injection not used up yet. */
    private Fault nextFault(String operation) {
        Queue<PendingFault> pending = faults.get(operation);
        if (pending == null) {
            return null;
        }
        for (PendingFault head = pending.peek(); head != null; head = pending.peek()) {
            if (head.remaining().getAndDecrement() > 0) {
                return head.fault();
            }
            pending.remove(head);
        }
        return null;
    }

    private static Ec2Failure refusal(String operation, String code, String message) {
        return AwsErrors.classify(operation, new Fault.ServiceError(code, 400, message).exception());
    }

    private static void requireOperation(String operation) {
        if (!OPERATIONS.contains(operation)) {
            throw new IllegalArgumentException("unknown EC2 operation '" + operation + "'; known: "
                    + OPERATIONS.stream().sorted().toList());
        }
    }

    private SubnetState subnet(String subnetId) {
        SubnetState subnet = subnets.get(subnetId);
        if (subnet == null) {
            throw new Refused("InvalidSubnetID.NotFound", "The subnet ID '" + subnetId + "' does not exist");
        }
        return subnet;
    }

    private EniState eni(String eniId) {
        EniState eni = enis.get(eniId);
        if (eni == null) {
            throw new Refused("InvalidNetworkInterfaceID.NotFound",
                    "The networkInterface ID '" + eniId + "' does not exist");
        }
        return eni;
    }

    /** AssignPrivateIpAddresses: within the ENI's limit (the instance type's), answering only what it added. */
    private List<String> assign(String eniId, int count, boolean prefixes) {
        EniState eni = eni(eniId);
        if (count < 1) {
            throw new Refused("InvalidParameterCombination",
                    "Specify a positive SecondaryPrivateIpAddressCount or Ipv4PrefixCount.");
        }
        int limit = eni.attachment == null ? UNATTACHED_ADDRESS_LIMIT
                : INSTANCE_TYPES.get(instances.get(eni.attachment.instanceId).type).ipv4PerEni();
        if (eni.slots() + count > limit) {
            throw new Refused("PrivateIpAddressLimitExceeded", "Number of private addresses will exceed limit: "
                    + eniId + " has " + eni.slots() + ", " + count + " more would exceed " + limit + ".");
        }
        List<String> added = allocate(addresses(subnets.get(eni.subnetId)), count, prefixes);
        (prefixes ? eni.prefixes : eni.secondaries).addAll(added);
        return added;
    }

    /** UnassignPrivateIpAddresses: every item must be on the ENI, and the primary address stays. */
    private Void unassign(String eniId, List<String> items, boolean prefixes) {
        EniState eni = eni(eniId);
        if (items.isEmpty()) {
            throw new Refused("InvalidParameterCombination", "Specify either PrivateIpAddresses or Ipv4Prefixes.");
        }
        if (items.contains(eni.primaryIp)) {
            throw new Refused("InvalidParameterValue", "The primary address of " + eniId + " cannot be unassigned.");
        }
        List<String> held = prefixes ? eni.prefixes : eni.secondaries;
        List<String> missing = items.stream().filter(a -> !held.contains(a)).toList();
        if (!missing.isEmpty()) {
            throw new Refused("InvalidParameterValue", "Some of the specified " + (prefixes ? "prefixes" : "addresses")
                    + " are not assigned to interface " + eniId + ": " + missing);
        }
        held.removeAll(items);
        return null;
    }

    private List<String> allocate(SubnetAddresses pool, int count, boolean prefixes) {
        if (count == 0) {
            return List.of();
        }
        List<String> chosen = prefixes ? pool.allocatePrefixes(count, random) : pool.allocate(count, random);
        if (chosen == null) {
            throw prefixes
                    ? new Refused("InsufficientCidrBlocks",
                            "The specified subnet does not have enough free cidr blocks to satisfy the request.")
                    : new Refused("InsufficientFreeAddressesInSubnet",
                            "The specified subnet does not have enough free addresses to satisfy the request.");
        }
        return chosen;
    }

    private SubnetAddresses addresses(SubnetState subnet) {
        SubnetAddresses pool = new SubnetAddresses(subnet.cidr);
        for (EniState eni : enis.values()) {
            if (eni.subnetId.equals(subnet.id)) {
                pool.hold(eni.primaryIp);
                eni.secondaries.forEach(pool::hold);
                eni.prefixes.forEach(pool::hold);
            }
        }
        return pool;
    }

    private List<EniState> attachedTo(String instanceId) {
        return enis.values().stream()
                .filter(e -> e.attachment != null && e.attachment.instanceId.equals(instanceId))
                .toList();
    }

    private EniState newEni(SubnetState subnet, String primaryIp, String description, List<String> groups,
                            Map<String, String> tags) {
        String id = newId("eni-");
        EniState eni = new EniState(id, mac(id), subnet.id, primaryIp, description,
                groups.isEmpty() ? List.of(defaultSecurityGroup) : List.copyOf(groups), new LinkedHashMap<>(tags));
        enis.put(id, eni);
        return eni;
    }

    private String newId(String prefix) {
        return prefix + "%017x".formatted(lastId.incrementAndGet());
    }

    /** Locally administered and unicast, derived from the id: stable for the ENI's life, as on EC2. */
    private static String mac(String eniId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(eniId.getBytes(StandardCharsets.UTF_8));
            byte[] mac = new byte[6];
            mac[0] = 0x02;
            System.arraycopy(digest, 0, mac, 1, 5);
            return HexFormat.ofDelimiter(":").formatHex(mac);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }

    /** A refusal inside the lock, turned into the classified failure of the operation by {@link #call}. */
    private static final class Refused extends RuntimeException {
        final String code;

        Refused(String code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    private record PendingFault(Fault fault, AtomicLong remaining) {}

    private record SubnetState(String id, String cidr, String zone, Map<String, String> tags) {}

    private static final class InstanceState {
        final String id;
        final String type;
        final String subnetId;
        boolean running = true;

        InstanceState(String id, String type, String subnetId) {
            this.id = id;
            this.type = type;
            this.subnetId = subnetId;
        }
    }

    private record Attachment(String id, String instanceId, int deviceIndex, boolean deleteOnTermination,
                              Instant visibleAt) {
        Attachment deletedOnTermination() {
            return new Attachment(id, instanceId, deviceIndex, true, visibleAt);
        }
    }

    private static final class EniState {
        final String id;
        final String mac;
        final String subnetId;
        final String primaryIp;
        final String description;
        final List<String> groups;
        final Map<String, String> tags;
        final List<String> secondaries = new ArrayList<>();
        final List<String> prefixes = new ArrayList<>();
        Attachment attachment;

        EniState(String id, String mac, String subnetId, String primaryIp, String description, List<String> groups,
                 Map<String, String> tags) {
            this.id = id;
            this.mac = mac;
            this.subnetId = subnetId;
            this.primaryIp = primaryIp;
            this.description = description;
            this.groups = groups;
            this.tags = tags;
        }

        /** What the per-ENI limit counts: the primary address, the secondary ones and the prefixes. */
        int slots() {
            return 1 + secondaries.size() + prefixes.size();
        }

        String status() {
            return attachment == null ? "available" : "in-use";
        }

        Eni view() {
            return new Eni(id, mac, subnetId, primaryIp, secondaries, prefixes,
                    attachment == null ? -1 : attachment.deviceIndex,
                    Optional.ofNullable(attachment).map(Attachment::id),
                    Optional.ofNullable(attachment).map(Attachment::instanceId), status(), description, groups, tags);
        }
    }
}
