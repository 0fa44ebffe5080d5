package io.vpccni.ipamd.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.eni.model.Eni;
import io.vpccni.ipamd.datastore.Datastore;
import io.vpccni.ipamd.datastore.EniInfo;
import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.netlink.ip.Ipv4Cidr;
import io.vpccni.ipamd.warmpool.EniState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NodeEnisTest {

    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    private final Datastore store = new Datastore(Clock.systemUTC(), Duration.ofSeconds(30));
    private final NodeEnis enis = new NodeEnis();

    private void attach(String id, int deviceIndex, List<String> ips) {
        enis.put(new NodeEni(new Eni(id, "02:00:00:00:00:0" + deviceIndex, "subnet-1", "10.0." + deviceIndex + ".1",
                ips, List.of(), deviceIndex, Optional.of("attach-" + id), Optional.of("i-1"), "in-use", "",
                List.of(), Map.of()), Ipv4Cidr.parse("10.0.0.0/16"), deviceIndex == 0, T0));
        store.addEni(new EniInfo(id, deviceIndex, deviceIndex == 0, Ipv4Cidr.parse("10.0.0.0/16"),
                Ipv4Address.parse("10.0." + deviceIndex + ".1"), T0));
        ips.forEach(ip -> store.addCidr(id, Ipv4Cidr.single(Ipv4Address.parse(ip))));
    }

    private int units(String eniId) {
        return enis.stateFor(store.stats()).stream().filter(s -> s.eniId().equals(eniId)).findFirst()
                .map(s -> s.units(false)).orElseThrow();
    }

    @Test
    void anAddressListedTwiceOnOneEniTakesTwoSlots() {
        attach("eni-a", 0, List.of("10.0.0.10", "10.0.0.10", "10.0.0.12"));

        assertThat(units("eni-a")).isEqualTo(3);
        assertThat(store.stats().total()).isEqualTo(2);
    }
}
