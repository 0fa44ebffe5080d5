package io.vpccni.netlink.error;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NetlinkExceptionTest {

    @Test
    void messageNamesOperationDescriptionAndSymbolicErrno() {
        assertThat(NetlinkException.of(17, "RTM_NEWROUTE 10.0.0.5/32 table 3"))
                .hasMessage("RTM_NEWROUTE 10.0.0.5/32 table 3: File exists (EEXIST)");
    }

    @Test
    void kernelExplanationIsAppended() {
        NetlinkException e = NetlinkException.of(22, "RTM_NEWROUTE x", "Nexthop has invalid gateway");
        assertThat(e).hasMessage("RTM_NEWROUTE x: Invalid argument (EINVAL): Nexthop has invalid gateway");
        assertThat(e.kernelMessage()).contains("Nexthop has invalid gateway");
    }

    @Test
    void missingThingsMapToNoSuchObjectAndMissingDevicesToNoSuchLink() {
        assertThat(NetlinkException.of(Errno.ENOENT, "op")).isInstanceOf(NetlinkException.NoSuchObject.class);
        assertThat(NetlinkException.of(Errno.ESRCH, "op")).isInstanceOf(NetlinkException.NoSuchObject.class);
        assertThat(NetlinkException.of(Errno.EADDRNOTAVAIL, "op")).isInstanceOf(NetlinkException.NoSuchObject.class);
        assertThat(NetlinkException.of(Errno.ENODEV, "op")).isInstanceOf(NetlinkException.NoSuchLink.class);
        assertThat(NetlinkException.of(Errno.EEXIST, "op")).isInstanceOf(NetlinkException.AlreadyExists.class);
        assertThat(NetlinkException.of(Errno.EPERM, "op")).isExactlyInstanceOf(NetlinkException.class);
    }

    @Test
    void unknownErrnoStillReadsWell() {
        assertThat(NetlinkException.of(200, "op")).hasMessage("op: Unknown error 200 (errno 200)");
    }
}
