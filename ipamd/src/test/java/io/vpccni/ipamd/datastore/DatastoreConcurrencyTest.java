package io.vpccni.ipamd.datastore;

import static io.vpccni.ipamd.datastore.DatastoreTest.POD;
import static io.vpccni.ipamd.datastore.DatastoreTest.T0;
import static io.vpccni.ipamd.datastore.DatastoreTest.eni;
import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.netlink.ip.Ipv4Cidr;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DatastoreConcurrencyTest {

    @ParameterizedTest(name = "cooldown {0} s")
    @ValueSource(ints = {0, 30})
    void manyThreadsAssigningAndReleasingNeverShareAnAddress(int cooldownSeconds) throws Exception {
        MutableClock clock = new MutableClock(T0);
        Datastore store = new Datastore(clock, Duration.ofSeconds(cooldownSeconds));
        for (int e = 0; e < 3; e++) {
            store.addEni(eni("eni-" + e, e));
            for (int p = 0; p < 2; p++) {
                store.addCidr("eni-" + e, Ipv4Cidr.parse("10." + e + "." + (p + 1) + ".0/28"));
            }
        }
        Map<Ipv4Address, AllocationKey> owners = new ConcurrentHashMap<>();
        AtomicInteger clashes = new AtomicInteger();
        int threads = 16;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    Random random = new Random(thread);
                    start.await();
                    Map<AllocationKey, Ipv4Address> mine = new java.util.HashMap<>();
                    for (int i = 0; i < 3000; i++) {
                        AllocationKey key = new AllocationKey("net", "c-" + thread + "-" + random.nextInt(12), "eth0");
                        if (random.nextBoolean()) {
                            if (store.assign(key, POD) instanceof AssignResult.Assigned(var ip, var eniId, var idx, var existing)) {
                                if (existing) {
                                    if (!ip.equals(mine.get(key))) clashes.incrementAndGet();
                                } else if (owners.putIfAbsent(ip, key) != null) {
                                    clashes.incrementAndGet();
                                } else {
                                    mine.put(key, ip);
                                }
                            }
                        } else if (mine.containsKey(key)) {
                            // Forget the owner first: until release() returns, nobody else can be given the IP.
                            owners.remove(mine.remove(key), key);
                            store.release(key);
                        } else if (i % 50 == 0) {
                            clock.advance(Duration.ofSeconds(1));
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        }

        PoolStats stats = store.stats();
        List<Allocation> allocations = store.allocations();
        assertThat(clashes).hasValue(0);
        assertThat(new HashSet<>(allocations.stream().map(Allocation::ip).toList())).hasSize(allocations.size());
        assertThat(stats.assigned()).isEqualTo(allocations.size()).isEqualTo(owners.size());
        assertThat(stats.total()).isEqualTo(96);
        assertThat(stats.assigned() + stats.cooling() + stats.available()).isEqualTo(stats.total());
    }
}
