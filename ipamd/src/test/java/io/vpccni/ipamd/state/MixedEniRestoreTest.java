package io.vpccni.ipamd.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.eni.model.Eni;
import io.vpccni.eni.model.EniMetadata;
import io.vpccni.ipamd.checkpoint.JsonFileCheckpointStore;
import io.vpccni.ipamd.datastore.AllocationKey;
import io.vpccni.ipamd.datastore.AssignResult;
import io.vpccni.ipamd.datastore.Datastore;
import io.vpccni.ipamd.datastore.DatastoreSnapshot;
import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.netlink.ip.Ipv4Cidr;
import io.vpccni.ipamd.datastore.MutableClock;
import io.vpccni.ipamd.datastore.PodRef;
import io.vpccni.ipamd.datastore.ReleaseResult;
import io.vpccni.ipamd.datastore.RestoreReport;
import io.vpccni.ipamd.pool.EniNetworking;
import io.vpccni.ipamd.pool.NodeEnis;
import io.vpccni.ipamd.reconcile.EniSync;
import io.vpccni.ipamd.warmpool.EniState;
import io.vpccni.ipamd.warmpool.NodeLimits;
import io.vpccni.ipamd.warmpool.PoolAction;
import io.vpccni.ipamd.warmpool.PoolPolicy;
import io.vpccni.ipamd.warmpool.PoolState;
import io.vpccni.ipamd.warmpool.PoolTargets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restart of ipamd on a node whose second ENI holds a /28 prefix and, after a prefix fallback, two secondary
 * /32s: EC2's view and the checkpoint file are all that survive, as in the daemon's start (EniSync, then
 * restore). Both kinds of address come back with their pods, cooldowns and slots.
 */
class MixedEniRestoreTest {

    static final Instant T0 = Instant.parse("2025-01-01T12:00:00Z");
    static final List<Eni> EC2 = List.of(eni("eni-0", 0, "10.0.0.10", List.of(), List.of()),
            eni("eni-1", 1, "10.0.0.20", List.of("10.0.0.37", "10.0.0.38"), List.of("10.0.0.48/28")));
    static final List<EniMetadata> IMDS = List.of(metadata("eni-0", 0), metadata("eni-1", 1));

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T0);

    private static Eni eni(String id, int device, String primaryIp, List<String> ips, List<String> prefixes) {
        return new Eni(id, "02:00:00:00:00:0" + device, "subnet-1", primaryIp, ips, prefixes, device,
                Optional.of("attach-" + id), Optional.of("i-1"), "in-use", "aws-K8S-i-1", List.of("sg-1"),
                Map.of(Eni.CREATED_AT_TAG, "2025-01-01T10:00:00Z"));
    }

    private static EniMetadata metadata(String id, int device) {
        return new EniMetadata("02:00:00:00:00:0" + device, id, device, "subnet-1", "vpc-1", List.of("sg-1"),
                List.of(), List.of(), "10.0.0.0/24", List.of("10.0.0.0/16"));
    }

    /** A daemon's start: the datastore from EC2 and instance metadata. */
    private Datastore started(NodeEnis enis) {
        Datastore datastore = new Datastore(clock, Duration.ofSeconds(30));
        new EniSync(datastore, enis, EniNetworking.NONE, true, clock).sync(EC2, IMDS);
        return datastore;
    }

    private static AllocationKey key(int pod) {
        return new AllocationKey("aws-cni", "container-" + pod, "eth0");
    }

    @Test
    void podsOnPrefixesAndOnSecondaryIpsOfOneEniSurviveARestartAndAreReleasedByDel() {
        Datastore first = started(new NodeEnis());
        PoolCheckpoint checkpoint = new PoolCheckpoint(first, new JsonFileCheckpointStore(dir.resolve("ipam.json")));
        for (int pod = 0; pod < 18; pod++) {
            assertThat(first.assign(key(pod), new PodRef("default", "pod-" + pod, "uid-" + pod)))
                    .isInstanceOf(AssignResult.Assigned.class);
        }
        first.release(key(3)); // a pod on the prefix, deleted just before the restart: cooling
        checkpoint.persist();

        clock.advance(Duration.ofSeconds(10));
        Datastore restarted = started(new NodeEnis());
        DatastoreSnapshot saved = new PoolCheckpoint(restarted, new JsonFileCheckpointStore(dir.resolve("ipam.json")))
                .read().orElseThrow();
        RestoreReport report = restarted.restore(saved);

        assertThat(report.rejected()).isEmpty();
        assertThat(report.restored()).hasSize(17);
        assertThat(report.coolingRestored()).isEqualTo(1);
        var eni1 = restarted.stats().enis().get(1);
        assertThat(eni1.cidrs()).extracting(c -> c.cidr().toString() + "=" + c.assigned() + "+" + c.cooling())
                .containsExactlyInAnyOrder("10.0.0.37/32=1+0", "10.0.0.38/32=1+0", "10.0.0.48/28=15+1");
        assertThat(EniState.from(eni1).slots()).as("one /28 and two /32s").isEqualTo(3);

        Ipv4Address onSecondaryIp = restarted.find(key(17)).orElseThrow().ip();
        assertThat(onSecondaryIp).isEqualTo(Ipv4Address.parse("10.0.0.38"));
        assertThat(restarted.release(key(17))).isInstanceOfSatisfying(ReleaseResult.Released.class,
                r -> assertThat(r.eniId()).isEqualTo("eni-1"));
        assertThat(restarted.release(key(0))).isInstanceOfSatisfying(ReleaseResult.Released.class,
                r -> assertThat(r.allocation().ip()).isEqualTo(Ipv4Address.parse("10.0.0.48")));

        clock.advance(Duration.ofSeconds(31));
        PoolState pool = PoolState.of(clock.instant(), restarted.stats(), new NodeLimits(3, 10, 0, 0, 110));
        assertThat(new PoolPolicy().evaluate(pool, PoolTargets.prefixWithIpTargets(1, 0, 0)).actions())
                .as("the freed /32 goes back to EC2 once cooled; the prefix with pods stays")
                .containsExactly(new PoolAction.ReleaseIps("eni-1", List.of(Ipv4Cidr.single(onSecondaryIp))));
    }
}
