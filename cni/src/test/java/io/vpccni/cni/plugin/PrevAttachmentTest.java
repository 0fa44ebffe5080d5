package io.vpccni.cni.plugin;

import io.vpccni.cni.spec.CniError;
import io.vpccni.cni.spec.ResultReader;
import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.rpc.veth.HostVethName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Every result shape DEL and CHECK meet in prevResult: ours before and after issue 17, aws-vpc-cni's before and with multi-NIC support. */
class PrevAttachmentTest {
    private static final String VETH = HostVethName.of("eni", "default", "pod-a");
    private static final String DUMMY = "dummy" + HostVethName.suffix("default", "pod-a");

    private static PrevAttachment read(String interfaces) throws CniError {
        return PrevAttachment.from(ResultReader.parse("{\"cniVersion\":\"0.4.0\",\"interfaces\":[" + interfaces
                + "],\"ips\":[{\"version\":\"4\",\"interface\":1,\"address\":\"10.0.1.20/32\"}],\"dns\":{}}"),
                "eth0").orElseThrow();
    }

    @Test
    void theDummyIsNamedLikeTheHostVethWithAnotherPrefix() {
        assertThat(AwsNodeResult.dummyName("default", "pod-a")).isEqualTo(DUMMY).hasSize(16)
                .endsWith(VETH.substring(3));
    }

    @ParameterizedTest(name = "eth0 mac {0}, dummy device {1} -> table {2}")
    @CsvSource({
        // ours from now on and aws-vpc-cni with multi-NIC support: the route table id in eth0's mac, 1 meaning main
        "1, 0, 254",
        "3, 2, 3",
        // ours before: main as 254, and no dummy
        "254, , 254",
        // aws-vpc-cni up to v1.19: eth0 without mac, the table is the dummy's device + 1 (device 0: main)
        ", 0, 254",
        ", 2, 3",
        // nothing to go by: main (DEL removes the pod's rules whatever their table)
        ", , 254",
    })
    void theRouteTableComesFromTheMacOrElseTheDummysDevice(String mac, String device, int table) throws CniError {
        String eth0 = "{\"name\":\"eth0\"" + (mac == null ? "" : ",\"mac\":\"" + mac + "\"")
                + ",\"sandbox\":\"/var/run/netns/p\"}";
        String dummy = device == null ? "" : ",{\"name\":\"" + DUMMY + "\",\"mac\":\"0\",\"sandbox\":\"" + device + "\"}";

        PrevAttachment a = read("{\"name\":\"" + VETH + "\"}," + eth0 + dummy);

        assertThat(a).isEqualTo(new PrevAttachment((java.net.Inet4Address) Ipv4Address.parse("10.0.1.20").toInet(), table,
                Optional.of(VETH)));
    }

    @Test
    void ourOldResultWithTheHostVethsMacStillNamesTheVeth() throws CniError {
        PrevAttachment a = read("{\"name\":\"" + VETH + "\",\"mac\":\"aa:bb:cc:dd:ee:ff\"},"
                + "{\"name\":\"eth0\",\"mac\":\"3\",\"mtu\":9001,\"sandbox\":\"/var/run/netns/p\"}");

        assertThat(a.hostVeth()).contains(VETH);
        assertThat(a.table()).isEqualTo(3);
    }

    @Test
    void aBranchEniDummyOrAMalformedOneIsNotTakenForTheDevice() throws CniError {
        // A VLAN id in mac is a branch-ENI pod's entry; its sandbox is no device number.
        assertThat(read("{\"name\":\"" + VETH + "\"},{\"name\":\"eth0\",\"sandbox\":\"/p\"},"
                + "{\"name\":\"" + DUMMY + "\",\"mac\":\"7\",\"sandbox\":\"2\"}").table()).isEqualTo(254);
        assertThat(read("{\"name\":\"" + VETH + "\"},{\"name\":\"eth0\",\"sandbox\":\"/p\"},"
                + "{\"name\":\"" + DUMMY + "\",\"mac\":\"0\",\"sandbox\":\"two\"}").table()).isEqualTo(254);
        // A real MAC on eth0 (another plugin's result) says nothing about tables.
        assertThat(read("{\"name\":\"" + VETH + "\"},{\"name\":\"eth0\",\"mac\":\"aa:bb:cc:dd:ee:ff\",\"sandbox\":\"/p\"}")
                .table()).isEqualTo(254);
    }
}
