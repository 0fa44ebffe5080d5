package io.vpccni.eni.lifecycle;

import io.vpccni.eni.error.Ec2Failure;
import io.vpccni.eni.model.Eni;
import io.vpccni.eni.model.InstanceIdentity;
import io.vpccni.eni.model.InstanceLimits;
import io.vpccni.eni.port.Ec2Api;
import io.vpccni.eni.port.Ec2Api.EniQuery;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The ENI lifecycle of one node: create and attach, fill and drain, detach and delete. Stateless: callers pass the
 * ENI as they last saw it and get the new one back. The instance type's limits are enforced here because EC2
 * emulators do not, and because asking EC2 for what it must refuse only costs throttling budget.
 */
public final class EniManager {

    private static final System.Logger LOG = System.getLogger(EniManager.class.getName());
    private static final int UNASSIGN_BATCH = 50;

    private final Ec2Api ec2;
    private final InstanceIdentity instance;
    private final InstanceLimits limits;
    private final EniManagerSettings settings;
    private final Clock clock;
    private final DeleteRetry deleteRetry;

    /** How long to keep trying DeleteNetworkInterface while EC2 finishes a detach. */
    public record DeleteRetry(int attempts, Duration firstDelay, Duration maxDelay) {
        public static DeleteRetry defaults() {
            return new DeleteRetry(8, Duration.ofMillis(500), Duration.ofSeconds(5));
        }
    }

    public EniManager(Ec2Api ec2, InstanceIdentity instance, InstanceLimits limits, EniManagerSettings settings,
            Clock clock, DeleteRetry deleteRetry) {
        this.ec2 = ec2;
        this.instance = instance;
        this.limits = limits;
        this.settings = settings;
        this.clock = clock;
        this.deleteRetry = deleteRetry;
    }

    public InstanceLimits limits() {
        return limits;
    }

    /** Every ENI attached to this instance, unmanaged ones included (callers must leave those alone). */
    public List<Eni> nodeEnis() {
        return ec2.describeNetworkInterfaces(EniQuery.attachedTo(instance.instanceId()));
    }

    /** The ENIs attached to this instance that we may change: not tagged no_manage=true. */
    public List<Eni> managedEnis() {
        return nodeEnis().stream().filter(eni -> !eni.isUnmanaged()).toList();
    }

    /**
     * Creates an ENI with its addresses, attaches it at the lowest free device index and marks it
     * DeleteOnTermination: three EC2 calls. If attaching fails, the new ENI is deleted again before the failure is
     * thrown, so nothing is left behind.
     *
     * @param usedDeviceIndexes device indexes already taken on the instance (the caller's datastore knows them)
     */
    public Eni createAndAttach(NewEni request, Set<Integer> usedDeviceIndexes) {
        if (usedDeviceIndexes.size() >= limits.maxEnis()) {
            throw new Ec2Failure.LimitExceeded("CreateNetworkInterface", "",
                    "instance type " + limits.instanceType() + " allows " + limits.maxEnis() + " ENIs and "
                            + usedDeviceIndexes.size() + " are attached", null);
        }
        requireWithinPerEniLimit("CreateNetworkInterface", 0, 0, request.secondaryIpCount(), request.prefixCount());
        int deviceIndex = lowestFreeDeviceIndex(usedDeviceIndexes);
        Eni created = ec2.createNetworkInterface(new Ec2Api.CreateEni(request.subnetId(),
                Eni.descriptionFor(instance.instanceId()), request.securityGroupIds(), request.secondaryIpCount(),
                request.prefixCount(), tagsForNewEni()));
        LOG.log(Level.INFO, "created {0} in {1} with {2} secondary IPs and {3} prefixes", created.id(),
                request.subnetId(), created.secondaryIps().size(), created.prefixes().size());
        String attachmentId;
        try {
            attachmentId = ec2.attachNetworkInterface(created.id(), instance.instanceId(), deviceIndex);
            ec2.setDeleteOnTermination(created.id(), attachmentId);
        } catch (Ec2Failure attachFailure) {
            LOG.log(Level.WARNING, "attaching {0} at device index {1} failed, deleting it: {2}", created.id(),
                    deviceIndex, attachFailure.getMessage());
            detachAndDelete(created);
            throw attachFailure;
        }
        LOG.log(Level.INFO, "attached {0} at device index {1} ({2})", created.id(), deviceIndex, attachmentId);
        return new Eni(created.id(), created.mac(), created.subnetId(), created.primaryIp(), created.secondaryIps(),
                created.prefixes(), deviceIndex, Optional.of(attachmentId), Optional.of(instance.instanceId()), "in-use",
                created.description(), created.securityGroupIds(), created.tags());
    }

    /** Adds {@code count} secondary IPs to the ENI; returns the ENI with them. */
    public Eni assignIps(Eni eni, int count) {
        requireWithinPerEniLimit("AssignPrivateIpAddresses", eni.secondaryIps().size(), eni.prefixes().size(), count, 0);
        List<String> reported = ec2.assignPrivateIpAddresses(eni.id(), count);
        // Real EC2 reports only the new addresses; emulators report all of them. A union is right for both.
        Set<String> secondary = new LinkedHashSet<>(eni.secondaryIps());
        reported.stream().filter(ip -> !ip.equals(eni.primaryIp())).forEach(secondary::add);
        LOG.log(Level.INFO, "assigned {0} secondary IPs to {1}", count, eni.id());
        return withAddresses(eni, List.copyOf(secondary), eni.prefixes());
    }

    /** Releases the given secondary IPs back to the subnet, in batches. */
    public Eni unassignIps(Eni eni, List<String> addresses) {
        for (List<String> batch : batches(addresses)) {
            ec2.unassignPrivateIpAddresses(eni.id(), batch);
        }
        LOG.log(Level.INFO, "unassigned {0} secondary IPs from {1}", addresses.size(), eni.id());
        List<String> remaining = eni.secondaryIps().stream().filter(ip -> !addresses.contains(ip)).toList();
        return withAddresses(eni, remaining, eni.prefixes());
    }

    /** Adds {@code count} /28 prefixes to the ENI. */
    public Eni assignPrefixes(Eni eni, int count) {
        requireWithinPerEniLimit("AssignPrivateIpAddresses", eni.secondaryIps().size(), eni.prefixes().size(), 0, count);
        Set<String> prefixes = new LinkedHashSet<>(eni.prefixes());
        prefixes.addAll(ec2.assignIpv4Prefixes(eni.id(), count));
        LOG.log(Level.INFO, "assigned {0} prefixes to {1}", count, eni.id());
        return withAddresses(eni, eni.secondaryIps(), List.copyOf(prefixes));
    }

    /** Releases the given prefixes, in batches. */
    public Eni unassignPrefixes(Eni eni, List<String> prefixes) {
        for (List<String> batch : batches(prefixes)) {
            ec2.unassignIpv4Prefixes(eni.id(), batch);
        }
        LOG.log(Level.INFO, "unassigned {0} prefixes from {1}", prefixes.size(), eni.id());
        return withAddresses(eni, eni.secondaryIps(), eni.prefixes().stream().filter(p -> !prefixes.contains(p)).toList());
    }

    /**
     * Detaches (when attached) and deletes the ENI. "Not found" at either step means someone already did it.
     * Deleting is retried while EC2 still reports the ENI in use after the detach.
     */
    public void detachAndDelete(Eni eni) {
        detach(eni);
        delete(eni);
    }

    /**
     * Detaches the ENI when attached. Until this returns the ENI is still the instance's; once it has, the ENI is
     * EC2's to delete, and one that then fails to delete is the leaked-ENI collector's (it is tagged as ours).
     */
    public void detach(Eni eni) {
        if (eni.isUnmanaged()) {
            throw new IllegalArgumentException(eni.id() + " is tagged " + Eni.NO_MANAGE_TAG + "=true; not touching it");
        }
        eni.attachmentId().ifPresent(attachment -> {
            try {
                ec2.detachNetworkInterface(attachment, false);
            } catch (Ec2Failure.NotFound alreadyDetached) {
                LOG.log(Level.DEBUG, "attachment {0} of {1} already gone", attachment, eni.id());
            }
        });
    }

    /** Deletes a detached ENI, retried while EC2 still reports it in use after the detach. */
    public void delete(Eni eni) {
        if (eni.isUnmanaged()) {
            throw new IllegalArgumentException(eni.id() + " is tagged " + Eni.NO_MANAGE_TAG + "=true; not touching it");
        }
        Duration delay = deleteRetry.firstDelay();
        for (int attempt = 1; ; attempt++) {
            try {
                ec2.deleteNetworkInterface(eni.id());
                LOG.log(Level.INFO, "deleted {0}", eni.id());
                return;
            } catch (Ec2Failure.NotFound alreadyDeleted) {
                LOG.log(Level.INFO, "{0} was already deleted", eni.id());
                return;
            } catch (Ec2Failure.Other stillInUse) {
                if (attempt >= deleteRetry.attempts()) {
                    throw stillInUse;
                }
                LOG.log(Level.DEBUG, "{0} not deletable yet ({1}); retrying in {2}", eni.id(), stillInUse.errorCode(), delay);
                sleep(delay);
                delay = delay.multipliedBy(2).compareTo(deleteRetry.maxDelay()) > 0 ? deleteRetry.maxDelay()
                        : delay.multipliedBy(2);
            }
        }
    }

    private Map<String, String> tagsForNewEni() {
        Map<String, String> tags = new LinkedHashMap<>(settings.additionalTags());
        tags.put(Eni.INSTANCE_ID_TAG, instance.instanceId());
        tags.put(Eni.CREATED_AT_TAG, clock.instant().truncatedTo(ChronoUnit.SECONDS).toString());
        settings.clusterName().ifPresent(name -> tags.put(Eni.CLUSTER_NAME_TAG, name));
        return tags;
    }

    private void requireWithinPerEniLimit(String operation, int ips, int prefixes, int moreIps, int morePrefixes) {
        int slots = limits.secondarySlotsPerEni();
        if (ips + prefixes + moreIps + morePrefixes > slots) {
            throw new Ec2Failure.LimitExceeded(operation, "",
                    "instance type " + limits.instanceType() + " allows " + slots + " secondary IPs or prefixes per ENI; "
                            + "the ENI has " + (ips + prefixes) + " and " + (moreIps + morePrefixes) + " more were asked for",
                    null);
        }
    }

    private static int lowestFreeDeviceIndex(Set<Integer> used) {
        int index = 1;
        while (used.contains(index)) {
            index++;
        }
        return index;
    }

    private static Eni withAddresses(Eni eni, List<String> secondaryIps, List<String> prefixes) {
        return new Eni(eni.id(), eni.mac(), eni.subnetId(), eni.primaryIp(), secondaryIps, prefixes, eni.deviceIndex(),
                eni.attachmentId(), eni.attachedInstanceId(), eni.status(), eni.description(), eni.securityGroupIds(),
                eni.tags());
    }

    private static List<List<String>> batches(List<String> items) {
        List<List<String>> batches = new ArrayList<>();
        for (int from = 0; from < items.size(); from += UNASSIGN_BATCH) {
            batches.add(List.copyOf(items.subList(from, Math.min(items.size(), from + UNASSIGN_BATCH))));
        }
        return batches;
    }

    private static void sleep(Duration delay) {
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to delete an ENI", e);
        }
    }
}
