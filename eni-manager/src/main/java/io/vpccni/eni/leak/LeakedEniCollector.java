package io.vpccni.eni.leak;

import io.vpccni.eni.error.Ec2Failure;
import io.vpccni.eni.model.Eni;
import io.vpccni.eni.port.Ec2Api;
import io.vpccni.eni.port.Ec2Api.EniQuery;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Deletes ENIs that a node created and then lost: a crash between create and attach, a detach that never got its
 * delete, or the ENIs EC2 detached (rather than deleted) when a node's instance was terminated before it had marked
 * them DeleteOnTermination. With CLUSTER_NAME set, as aws-vpc-cni does, every node collects the leaked ENIs of any
 * node of its cluster (a terminated node cannot collect its own); without it, only its own. An ENI is taken only if
 * all hold: status available, a node's description with that node's instance tag, the cluster tag when CLUSTER_NAME
 * is set, not tagged no_manage, and a createdAt tag older than the grace period. An ENI without createdAt is tagged
 * now and judged on a later sweep. The caller schedules {@link #sweep()}.
 */
public final class LeakedEniCollector {

    public static final Duration DEFAULT_GRACE = Duration.ofMinutes(5);
    private static final System.Logger LOG = System.getLogger(LeakedEniCollector.class.getName());

    private final Ec2Api ec2;
    private final String instanceId;
    private final Optional<String> clusterName;
    private final Duration grace;
    private final Clock clock;

    public LeakedEniCollector(Ec2Api ec2, String instanceId, Optional<String> clusterName, Duration grace,
            Clock clock) {
        this.ec2 = ec2;
        this.instanceId = instanceId;
        this.clusterName = clusterName;
        this.grace = grace;
        this.clock = clock;
    }

    /** What one sweep did. */
    public record SweepResult(List<String> deleted, List<String> taggedForLater, List<String> failed) {}

    public SweepResult sweep() {
        Map<String, String> tagFilter = new HashMap<>();
        clusterName.ifPresentOrElse(name -> tagFilter.put(Eni.CLUSTER_NAME_TAG, name),
                () -> tagFilter.put(Eni.INSTANCE_ID_TAG, instanceId));
        List<Eni> available = ec2.describeNetworkInterfaces(new EniQuery(List.of(), Optional.empty(),
                Optional.of("available"), tagFilter, List.of(Eni.INSTANCE_ID_TAG)));
        List<String> deleted = new ArrayList<>();
        List<String> tagged = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        Instant now = clock.instant();
        for (Eni eni : available) {
            if (!isOurs(eni)) {
                continue;
            }
            Optional<Instant> createdAt = eni.createdAtTag();
            if (createdAt.isEmpty()) {
                ec2.createTags(eni.id(), Map.of(Eni.CREATED_AT_TAG, now.truncatedTo(ChronoUnit.SECONDS).toString()));
                tagged.add(eni.id());
                continue;
            }
            if (createdAt.get().plus(grace).isAfter(now)) {
                continue;
            }
            try {
                ec2.deleteNetworkInterface(eni.id());
                LOG.log(Level.INFO, "deleted leaked ENI {0} (created {1})", eni.id(), createdAt.get());
                deleted.add(eni.id());
            } catch (Ec2Failure.NotFound gone) {
                deleted.add(eni.id());
            } catch (Ec2Failure e) {
                LOG.log(Level.WARNING, "could not delete leaked ENI {0}: {1}", eni.id(), e.getMessage());
                failed.add(eni.id());
            }
        }
        return new SweepResult(deleted, tagged, failed);
    }

    // The describe filters already ask for this; checking again guards against an API that ignores filters.
    private boolean isOurs(Eni eni) {
        String creator = eni.tags().get(Eni.INSTANCE_ID_TAG);
        return "available".equals(eni.status())
                && !eni.isAttached()
                && !eni.isUnmanaged()
                && creator != null
                && eni.description().equals(Eni.descriptionFor(creator))
                && clusterName.map(name -> name.equals(eni.tags().get(Eni.CLUSTER_NAME_TAG)))
                        .orElse(instanceId.equals(creator));
    }
}
