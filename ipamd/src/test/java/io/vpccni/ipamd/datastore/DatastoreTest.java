package io.vpccni.ipamd.datastore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.netlink.ip.Ipv4Cidr;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DatastoreTest {

    static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    static final PodRef POD = new PodRef("default", "web-0", "uid-0");

    final MutableClock clock = new MutableClock(T0);
    final Datastore store = new Datastore(clock, Duration.ofSeconds(30));

    static EniInfo eni(String id, int deviceIndex) {
        return new EniInfo(id, deviceIndex, deviceIndex == 0, Ipv4Cidr.parse("10." + deviceIndex + ".0.0/16"),
                Ipv4Address.parse("10." + deviceIndex + ".0.1"), T0);
    }

    static AllocationKey key(int n) {
        return new AllocationKey("aws-cni", "container-" + n, "eth0");
    }

    static Ipv4Cidr ip(String address) {
        return Ipv4Cidr.parse(address + "/32");
    }

    private Ipv4Address assignedIp(AssignResult result) {
        assertThat(result).isInstanceOf(AssignResult.Assigned.class);
        return ((AssignResult.Assigned) result).ip();
    }

    @Test
    void assignsLowestAddressOfLowestDeviceIndexFirst() {
        store.addEni(eni("eni-b", 1));
        store.addEni(eni("eni-a", 0));
        store.addCidr("eni-b", ip("10.1.0.5"));
        store.addCidr("eni-a", ip("10.0.0.9"));
        store.addCidr("eni-a", ip("10.0.0.7"));

        AssignResult first = store.assign(key(1), POD);

        assertThat(first).isEqualTo(new AssignResult.Assigned(Ipv4Address.parse("10.0.0.7"), "eni-a", 0, false));
        assertThat(assignedIp(store.assign(key(2), POD))).hasToString("10.0.0.9");
        assertThat(store.assign(key(3), POD)).isEqualTo(new AssignResult.Assigned(Ipv4Address.parse("10.1.0.5"), "eni-b", 1, false));
    }

    @Test
    void assignIsIdempotentForAKnownKey() {
        store.addEni(eni("eni-a", 0));
        store.addCidr("eni-a", ip("10.0.0.7"));
        store.addCidr("eni-a", ip("10.0.0.8"));

        Ipv4Address first = assignedIp(store.assign(key(1), POD));
        AssignResult again = store.assign(key(1), POD);

        assertThat(again).isEqualTo(new AssignResult.Assigned(first, "eni-a", 0, true));
        assertThat(store.stats().assigned()).isEqualTo(1);
    }

    @Test
    void packsPodsIntoTheFullestPrefixSoWholePrefixesStayUnused() {
        store.addEni(eni("eni-a", 0));
        store.addCidr("eni-a", Ipv4Cidr.parse("10.0.1.0/28"));
        store.addCidr("eni-a", Ipv4Cidr.parse("10.0.2.0/28"));
        assignedIp(store.assign(key(0), POD));
        store.addCidr("eni-a", Ipv4Cidr.parse("10.0.0.0/28")); // lower, but emptier

        assertThat(assignedIp(store.assign(key(1), POD))).hasToString("10.0.1.1");
        assertThat(store.stats().unusedPrefixes()).isEqualTo(2);
    }

    @Test
    void onAnEniWithBothKindsPodsGoToItsPrefixesBeforeItsSecondaryIps() {
        store.addEni(eni("eni-a", 0));
        store.addCidr("eni-a", ip("10.0.0.5")); // left by a prefix fallback: one free address, the "fullest" CIDR
        store.addCidr("eni-a", Ipv4Cidr.parse("10.0.1.0/28"));

        for (int pod = 0; pod < 16; pod++) {
            assertThat(assignedIp(store.assign(key(pod), POD)).toString()).startsWith("10.0.1.");
        }
        assertThat(assignedIp(store.assign(key(16), POD))).hasToString("10.0.0.5");
        assertThat(store.stats().secondaryIps()).isEqualTo(1);
    }

    @Test
    void reportsWhyNoAddressIsFree() {
        AssignResult empty = store.assign(key(1), POD);
        assertThat(empty).isInstanceOf(AssignResult.NoFreeAddress.class);
        assertThat(((AssignResult.NoFreeAddress) empty).reason()).contains("no addresses");

        store.addEni(eni("eni-a", 0));
        store.addCidr("eni-a", ip("10.0.0.7"));
        store.addCidr("eni-a", ip("10.0.0.8"));
        store.assign(key(1), POD);
        store.assign(key(2), POD);
        store.release(key(2));

        AssignResult full = store.assign(key(3), POD);
        assertThat(((AssignResult.NoFreeAddress) full).reason()).contains("1 assigned", "1 in cooldown");
    }

    @Test
    void releasedAddressCoolsDownBeforeReuseAndIsNotAvailableMeanwhile() {
        store.addEni(eni("eni-a", 0));
        store.addCidr("eni-a", ip("10.0.0.7"));
        Ipv4Address ip = assignedIp(store.assign(key(1), POD));

        ReleaseResult released = store.release(key(1));

        assertThat(released).isInstanceOfSatisfying(ReleaseResult.Released.class,
                r -> assertThat(r.allocation().ip()).isEqualTo(ip));
        assertThat(store.stats()).satisfies(s -> {
            assertThat(s.total()).isEqualTo(1);
            assertThat(s.cooling()).isEqualTo(1);
            assertThat(s.available()).isZero();
        });
        clock.advance(Duration.ofSeconds(29));
        assertThat(store.assign(key(2), POD)).isInstanceOf(AssignResult.NoFreeAddress.class);
        clock.advance(Duration.ofSeconds(1));
        assertThat(store.stats().available()).isEqualTo(1);
        assertThat(assignedIp(store.assign(key(2), POD))).isEqualTo(ip);
    }

    @Test
    void zeroCooldownMakesAReleasedAddressReusableAtOnce() {
        Datastore noCooldown = new Datastore(clock, Duration.ZERO);
        noCooldown.addEni(eni("eni-a", 0));
        noCooldown.addCidr("eni-a", ip("10.0.0.7"));
        noCooldown.assign(key(1), POD);
        noCooldown.release(key(1));

        assertThat(noCooldown.stats().cooling()).isZero();
        assertThat(noCooldown.assign(key(2), POD)).isInstanceOf(AssignResult.Assigned.class);
    }

    @Test
    void releasingAnUnknownKeyIsNotFound() {
        assertThat(store.release(key(9))).isEqualTo(new ReleaseResult.NotFound(key(9)));
    }

    @Test
    void refusesToRemoveACidrWhileAnAddressInItIsAssignedOrCooling() {
        store.addEni(eni("eni-a", 0));
        Ipv4Cidr prefix = Ipv4Cidr.parse("10.0.1.0/28");
        store.addCidr("eni-a", prefix);
        store.assign(key(1), POD);

        assertThat(store.removeCidr("eni-a", prefix, false)).isEqualTo(new RemoveResult.InUse(1, 0));
        store.release(key(1));
        assertThat(store.removeCidr("eni-a", prefix, false)).isEqualTo(new RemoveResult.InUse(0, 1));
        clock.advance(Duration.ofSeconds(30));
        assertThat(store.removeCidr("eni-a", prefix, false)).isEqualTo(new RemoveResult.Removed(java.util.List.of()));
        assertThat(store.stats().total()).isZero();
    }

    @Test
    void forcedRemovalDropsAndReportsTheAssignments() {
        store.addEni(eni("eni-a", 0));
        store.addEni(eni("eni-b", 1));
        store.addCidr("eni-b", ip("10.1.0.5"));
        store.assign(key(1), POD);

        assertThat(store.removeEni("eni-b", false)).isEqualTo(new RemoveResult.InUse(1, 0));
        RemoveResult forced = store.removeEni("eni-b", true);

        assertThat(forced).isInstanceOfSatisfying(RemoveResult.Removed.class,
                r -> assertThat(r.dropped()).extracting(Allocation::key).containsExactly(key(1)));
        assertThat(store.find(key(1))).isEmpty();
        assertThat(store.stats().enis()).hasSize(1);
        assertThat(store.removeEni("eni-b", false)).isInstanceOf(RemoveResult.NotFound.class);
    }

    @Test
    void refusesOverlappingOddSizedOrOrphanCidrs() {
        store.addEni(eni("eni-a", 0));
        store.addCidr("eni-a", Ipv4Cidr.parse("10.0.1.0/28"));

        assertThat(store.addCidr("eni-a", Ipv4Cidr.parse("10.0.1.0/28"))).isFalse();
        assertThatThrownBy(() -> store.addCidr("eni-a", ip("10.0.1.5"))).hasMessageContaining("overlaps");
        store.addCidr("eni-a", ip("10.0.0.255"));
        assertThatThrownBy(() -> store.addCidr("eni-a", Ipv4Cidr.parse("10.0.0.240/28"))).hasMessageContaining("overlaps");
        assertThatThrownBy(() -> store.addCidr("eni-a", Ipv4Cidr.parse("10.0.2.0/27"))).hasMessageContaining("/28");
        assertThatThrownBy(() -> store.addCidr("eni-x", ip("10.9.0.1"))).hasMessageContaining("unknown ENI");
    }

    @Test
    void statsCountPerCidrPerEniAndPerNode() {
        store.addEni(eni("eni-a", 0));
        store.addEni(eni("eni-b", 1));
        store.addCidr("eni-a", Ipv4Cidr.parse("10.0.1.0/28"));
        store.addCidr("eni-b", Ipv4Cidr.parse("10.1.1.0/28"));
        store.addCidr("eni-b", Ipv4Cidr.parse("10.1.2.0/28"));
        for (int i = 0; i < 18; i++) {
            store.assign(key(i), POD);
        }
        store.release(key(17));

        PoolStats stats = store.stats();

        assertThat(stats.total()).isEqualTo(48);
        assertThat(stats.assigned()).isEqualTo(17);
        assertThat(stats.cooling()).isEqualTo(1);
        assertThat(stats.available()).isEqualTo(30);
        assertThat(stats.unusedPrefixes()).isEqualTo(1);
        EniStats b = stats.enis().get(1);
        assertThat(b.eni().eniId()).isEqualTo("eni-b");
        assertThat(b.cidrs()).extracting(CidrStats::assigned).containsExactly(1, 0);
        assertThat(b.cidrs()).extracting(CidrStats::cooling).containsExactly(1, 0);
        assertThat(b.available()).isEqualTo(30);
    }
}
