package io.vpccni.ipamd.datastore;

import static io.vpccni.ipamd.datastore.DatastoreTest.POD;
import static io.vpccni.ipamd.datastore.DatastoreTest.T0;
import static io.vpccni.ipamd.datastore.DatastoreTest.eni;
import static io.vpccni.ipamd.datastore.DatastoreTest.ip;
import static io.vpccni.ipamd.datastore.DatastoreTest.key;
import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.netlink.ip.Ipv4Address;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DatastoreSnapshotTest {

    final MutableClock clock = new MutableClock(T0);

    private Datastore storeWithTwoIps() {
        Datastore store = new Datastore(clock, Duration.ofSeconds(30));
        store.addEni(eni("eni-a", 0));
        store.addCidr("eni-a", ip("10.0.0.7"));
        store.addCidr("eni-a", ip("10.0.0.8"));
        return store;
    }

    @Test
    void snapshotCarriesAssignmentsAndCooldownTimestampsAcrossARestart() {
        Datastore before = storeWithTwoIps();
        before.assign(key(1), POD);
        clock.advance(Duration.ofSeconds(5));
        before.assign(key(2), new PodRef("kube-system", "dns", "u2"));
        before.release(key(2));
        DatastoreSnapshot snapshot = before.snapshot();

        assertThat(snapshot.allocations()).singleElement().satisfies(a -> {
            assertThat(a.key()).isEqualTo(key(1));
            assertThat(a.assignedAt()).isEqualTo(T0);
        });
        assertThat(snapshot.cooling()).containsExactly(
                new CoolingAddress(Ipv4Address.parse("10.0.0.8"), T0.plusSeconds(5)));

        clock.advance(Duration.ofSeconds(10));
        Datastore after = storeWithTwoIps();
        RestoreReport report = after.restore(snapshot);

        assertThat(report.restored()).hasSize(1);
        assertThat(report.rejected()).isEmpty();
        assertThat(report.coolingRestored()).isEqualTo(1);
        assertThat(after.find(key(1))).contains(snapshot.allocations().getFirst());
        assertThat(after.stats().cooling()).isEqualTo(1);
        assertThat(after.assign(key(3), POD)).isInstanceOf(AssignResult.NoFreeAddress.class);
        clock.advance(Duration.ofSeconds(20)); // 30 s after the release, not after the restart
        assertThat(after.assign(key(3), POD)).isInstanceOf(AssignResult.Assigned.class);
    }

    @Test
    void restoreRejectsAddressesOutsideKnownCidrsAndAddressesClaimedTwice() {
        Datastore store = storeWithTwoIps();
        Allocation first = new Allocation(key(1), POD, Ipv4Address.parse("10.0.0.7"), T0);
        Allocation sameIpOtherKey = new Allocation(key(2), POD, Ipv4Address.parse("10.0.0.7"), T0);
        Allocation unknownIp = new Allocation(key(3), POD, Ipv4Address.parse("10.9.9.9"), T0);
        Allocation sameKeyOtherIp = new Allocation(key(1), POD, Ipv4Address.parse("10.0.0.8"), T0);

        RestoreReport report = store.restore(new DatastoreSnapshot(
                List.of(first, sameIpOtherKey, unknownIp, sameKeyOtherIp), List.of()));

        assertThat(report.restored()).containsExactly(first);
        assertThat(report.rejected()).containsExactly(sameIpOtherKey, unknownIp, sameKeyOtherIp);
        assertThat(store.allocations()).containsExactly(first);
    }

    @Test
    void restoringTheSameSnapshotTwiceChangesNothing() {
        Datastore store = storeWithTwoIps();
        store.assign(key(1), POD);
        DatastoreSnapshot snapshot = store.snapshot();

        RestoreReport again = store.restore(snapshot);

        assertThat(again.restored()).hasSize(1);
        assertThat(again.rejected()).isEmpty();
        assertThat(store.stats().assigned()).isEqualTo(1);
    }

    @Test
    void expiredCooldownsAreNeitherExportedNorRestored() {
        Datastore store = storeWithTwoIps();
        store.assign(key(1), POD);
        store.release(key(1));
        DatastoreSnapshot cooling = store.snapshot();
        clock.advance(Duration.ofSeconds(30));

        assertThat(store.snapshot().cooling()).isEmpty();
        Datastore fresh = storeWithTwoIps();
        assertThat(fresh.restore(cooling).coolingRestored()).isZero();
        assertThat(fresh.stats().available()).isEqualTo(2);
    }
}
