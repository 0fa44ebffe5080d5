package io.vpccni.netlink.ffm;

import io.vpccni.netlink.error.Errno;
import io.vpccni.netlink.error.NetlinkException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The single syscall downcall: results come back as they are, failures with the right errno. */
class LibCTest {
    @Test
    void aSocketOpensAndCloses() {
        int fd = LibC.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, LibC.NETLINK_ROUTE);
        assertThat(fd).isPositive();
        LibC.close(fd);
    }

    @Test
    void errnoOfAFailedCallIsCapturedAndNamed() {
        assertThatThrownBy(() -> LibC.close(Integer.MAX_VALUE))
                .isInstanceOf(NetlinkException.class)
                .hasMessage("close fd 2147483647: Bad file descriptor (EBADF)")
                .extracting(e -> ((NetlinkException) e).errno()).isEqualTo(Errno.EBADF);
        assertThatThrownBy(() -> LibC.socket(12345, LibC.SOCK_RAW, 0))
                .isInstanceOf(NetlinkException.class)
                .extracting(e -> ((NetlinkException) e).errno()).isEqualTo(Errno.EAFNOSUPPORT);
    }

    @Test
    void openOfAMissingFileIsNoSuchObject() {
        assertThatThrownBy(() -> LibC.openReadOnly("/nonexistent/vpccni"))
                .isInstanceOf(NetlinkException.NoSuchObject.class)
                .hasMessageStartingWith("open /nonexistent/vpccni: No such file or directory");
    }
}
