package io.vpccni.cni.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ResultTest {
    /** A pod on a secondary ENI: the container interface's mac carries route table 3. */
    static final CniResult POD = new CniResult(
            List.of(CniResult.Interface.of("enic440f455693", "aa:bb:cc:dd:ee:ff", ""),
                    new CniResult.Interface("eth0", Optional.of("3"), Optional.of("/proc/42/ns/net"),
                            OptionalInt.of(9001))),
            List.of(CniResult.IpConfig.of("10.0.9.3/32", "", 1)),
            List.of(new CniResult.Route("0.0.0.0/0", Optional.of("169.254.1.1"), OptionalInt.of(9001),
                    OptionalInt.of(3), OptionalInt.of(0), OptionalInt.of(10))),
            CniResult.Dns.EMPTY);

    static final String IFACES_OLD = "\"interfaces\":[{\"name\":\"enic440f455693\","
            + "\"mac\":\"aa:bb:cc:dd:ee:ff\"},{\"name\":\"eth0\",\"mac\":\"3\","
            + "\"sandbox\":\"/proc/42/ns/net\"}]";

    static String golden(CniVersion v) {
        String head = "{\"cniVersion\":\"" + v.text() + "\",";
        return switch (v) {
            case V0_3_0, V0_3_1, V0_4_0 -> head + IFACES_OLD
                    + ",\"ips\":[{\"version\":\"4\",\"interface\":1,\"address\":\"10.0.9.3/32\"}]"
                    + ",\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"169.254.1.1\"}],\"dns\":{}}";
            case V1_0_0 -> head + IFACES_OLD
                    + ",\"ips\":[{\"interface\":1,\"address\":\"10.0.9.3/32\"}]"
                    + ",\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"169.254.1.1\"}],\"dns\":{}}";
            case V1_1_0 -> head + "\"interfaces\":[{\"name\":\"enic440f455693\","
                    + "\"mac\":\"aa:bb:cc:dd:ee:ff\"},{\"name\":\"eth0\",\"mac\":\"3\",\"mtu\":9001,"
                    + "\"sandbox\":\"/proc/42/ns/net\"}]"
                    + ",\"ips\":[{\"interface\":1,\"address\":\"10.0.9.3/32\"}]"
                    + ",\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"169.254.1.1\",\"mtu\":9001,"
                    + "\"priority\":10,\"table\":3,\"scope\":0}],\"dns\":{}}";
        };
    }

    @ParameterizedTest
    @EnumSource(CniVersion.class)
    void rendersTheVersionsOwnFormat(CniVersion v) {
        assertThat(ResultWriter.toJson(POD, v)).isEqualTo(golden(v));
    }

    @ParameterizedTest
    @EnumSource(CniVersion.class)
    void readsBackWhatItWrote(CniVersion v) throws CniError {
        CniResult back = ResultReader.parse(ResultWriter.toJson(POD, v));
        if (v.hasResultExtras()) {
            assertThat(back).isEqualTo(POD);
        } else {
            // Older formats cannot carry the 1.1 extras; everything else survives.
            assertThat(back.ips()).isEqualTo(POD.ips());
            assertThat(back.interfaces().get(1).mac()).contains("3");
            assertThat(back.interfaces().get(1).mtu()).isEmpty();
            assertThat(back.routes()).containsExactly(CniResult.Route.of("0.0.0.0/0", "169.254.1.1"));
        }
        assertThat(ResultWriter.toJson(back, v)).isEqualTo(golden(v));
    }

    @ParameterizedTest
    @EnumSource(CniVersion.class)
    void prevResultInsideAConfigRoundTrips(CniVersion v) throws CniError {
        String conf = "{\"cniVersion\":\"" + v.text() + "\",\"name\":\"aws-cni\",\"type\":\"vpc-cni\","
                + "\"prevResult\":" + ResultWriter.toJson(POD, v) + "}";
        CniResult prev = NetConf.parse(conf).prevResult().orElseThrow();
        assertThat(ResultWriter.toJson(prev, v)).isEqualTo(golden(v));
    }

    @Test
    void ipv6AndDnsAreRendered() {
        CniResult r = new CniResult(List.of(), List.of(CniResult.IpConfig.of("2001:db8::5/128",
                "fe80::1", 0).withoutInterface()), List.of(CniResult.Route.of("::/0", "fe80::1")),
                new CniResult.Dns(List.of("10.100.0.10"), Optional.of("cluster.local"),
                        List.of("default.svc.cluster.local"), List.of("ndots:5")));
        assertThat(ResultWriter.toJson(r, CniVersion.V0_4_0)).isEqualTo("{\"cniVersion\":\"0.4.0\","
                + "\"ips\":[{\"version\":\"6\",\"address\":\"2001:db8::5/128\",\"gateway\":\"fe80::1\"}],"
                + "\"routes\":[{\"dst\":\"::/0\",\"gw\":\"fe80::1\"}],"
                + "\"dns\":{\"nameservers\":[\"10.100.0.10\"],\"domain\":\"cluster.local\","
                + "\"search\":[\"default.svc.cluster.local\"],\"options\":[\"ndots:5\"]}}");
    }

    @Test
    void readsAGoPluginResultWithFieldsWeDoNotModel() throws CniError {
        String ptp = """
                {"cniVersion":"1.0.0","interfaces":[{"name":"veth1","mac":"6e:2a:01:02:03:04",
                 "socketPath":"/x","pciID":"0000:00:01.0"}],"ips":[{"address":"10.1.0.2/24",
                 "gateway":"10.1.0.1","interface":0}],"routes":[{"dst":"0.0.0.0/0","advmss":1400}],
                 "dns":{"nameservers":["1.1.1.1"]},"futureField":{"a":[1]}}
                """;
        CniResult r = ResultReader.parse(ptp);
        assertThat(r.interfaces()).containsExactly(CniResult.Interface.of("veth1", "6e:2a:01:02:03:04", ""));
        assertThat(r.ips()).containsExactly(CniResult.IpConfig.of("10.1.0.2/24", "10.1.0.1", 0));
        assertThat(r.routes()).containsExactly(CniResult.Route.of("0.0.0.0/0", ""));
        assertThat(r.dns().nameservers()).containsExactly("1.1.1.1");
    }
}
