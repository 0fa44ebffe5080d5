package io.vpccni.netlink.sys;

import io.vpccni.netlink.error.Errno;
import io.vpccni.netlink.error.NetlinkException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The system calls this library needs (socket, bind, connect, setsockopt, sendto, recvfrom,
 * sendmsg and recvmsg with descriptors, shutdown, openat, close, setns), bound by JNI to glibc's wrappers
 * ({@code src/main/c/vpccni_syscall.c}, loaded by {@link NativeLibrary}). Structs (socket
 * addresses, option values) are built here as byte arrays in native byte order; C only copies
 * them. A failure becomes a {@link NetlinkException} naming the call and its errno.
 *
 * <p>Why JNI rather than the FFM API: the CNI plugin is a short-lived process, and JDK 25 builds
 * every FFM downcall (bytecode, LambdaForms, native entry code) at run time even with the AOT cache,
 * while FFM's memory API warms up interpreted: together about a quarter of a pod ADD's CPU
 * (BENCHMARKS.md). A JNI method is bound by one symbol lookup.
 *
 * <p>Linux only. The constants are the generic Linux ones (x86_64 and aarch64 share them).
 */
public final class LibC {
    public static final int AF_UNIX = 1;
    public static final int AF_NETLINK = 16;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int NETLINK_ROUTE = 0;
    public static final int O_RDONLY = 0;
    public static final int O_CLOEXEC = 0x80000;
    public static final int O_PATH = 0x200000;
    public static final int CLONE_NEWNET = 0x40000000;
    public static final int SOL_SOCKET = 1;
    public static final int SO_RCVBUF = 8;
    public static final int SO_RCVTIMEO = 20;
    public static final int SO_SNDTIMEO = 21;
    public static final int SOL_NETLINK = 270;
    public static final int NETLINK_CAP_ACK = 10;
    public static final int NETLINK_EXT_ACK = 11;
    private static final int MSG_TRUNC = 0x20;
    private static final int MSG_CTRUNC = 0x08;
    private static final int MSG_DONTWAIT = 0x40;
    /** How many descriptors one message may carry into {@link #receiveWithDescriptor}; more is an error. */
    public static final int MAX_PASSED_DESCRIPTORS = 8;
    /** How many {@link #sendWithDescriptors} sends at most: more than a receiver takes, to show it copes. */
    public static final int MAX_SENT_DESCRIPTORS = 64;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int SHUT_WR = 1;
    /** sizeof(struct sockaddr_nl): nl_family u16, nl_pad u16, nl_pid u32, nl_groups u32. */
    private static final int SOCKADDR_NL_SIZE = 12;
    private static final int NL_PID_OFFSET = 4;
    /** sizeof(sockaddr_un.sun_path), the terminating NUL included. */
    public static final int UNIX_PATH_MAX = 108;

    static {
        NativeLibrary.load();
    }

    private LibC() {}

    /** {@code socket(2)}; returns the new descriptor. */
    public static int socket(int domain, int type, int protocol) {
        return (int) check(socket0(domain, type, protocol), "socket");
    }

    /** {@code bind(2)} of a netlink socket; port id 0 lets the kernel choose. */
    public static void bindNetlink(int fd, int portId, int groups) {
        check(bind0(fd, netlinkAddress(portId, groups)), "bind AF_NETLINK");
    }

    /**
     * {@code connect(2)} of a Unix stream socket to the socket file at {@code path}. ENOENT
     * (no such file) becomes {@link NetlinkException.NoSuchObject}; ECONNREFUSED means a file
     * with nobody listening. Blocks at most the socket's send timeout (SO_SNDTIMEO), then fails
     * with EAGAIN.
     */
    public static void connectUnix(int fd, String path) {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        if (name.length >= UNIX_PATH_MAX || path.indexOf('\0') >= 0) {
            throw new NetlinkException(Errno.EINVAL, "connect " + path + ": not a usable Unix socket path", null);
        }
        byte[] address = ByteBuffer.allocate(2 + name.length + 1).order(ByteOrder.nativeOrder())
                .putShort((short) AF_UNIX).put(name).put((byte) 0).array();
        check(connect0(fd, address), "connect", path);
    }

    /** {@code setsockopt(2)} with an int value. */
    public static void setSocketOption(int fd, int level, int option, int value) {
        byte[] v = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array();
        long rc = setsockopt0(fd, level, option, v);
        if (rc < 0) {
            throw failure(rc, "setsockopt " + level + "/" + option);
        }
    }

    /**
     * SO_RCVTIMEO: a receive that waits longer fails with EAGAIN, so a peer that never answers
     * becomes an error instead of a hang.
     */
    public static void setReceiveTimeout(int fd, Duration timeout) {
        check(setsockopt0(fd, SOL_SOCKET, SO_RCVTIMEO, timeval(timeout)), "setsockopt SO_RCVTIMEO");
    }

    /** SO_SNDTIMEO: the same for sends and, on Unix sockets, for connect. */
    public static void setSendTimeout(int fd, Duration timeout) {
        check(setsockopt0(fd, SOL_SOCKET, SO_SNDTIMEO, timeval(timeout)), "setsockopt SO_SNDTIMEO");
    }

    /** Sends one datagram to the kernel (netlink port 0). */
    public static void sendToKernel(int fd, byte[] message) {
        byte[] kernel = netlinkAddress(0, 0);
        long n;
        do {
            n = sendto0(fd, message, 0, message.length, 0, kernel);
        } while (n == -Errno.EINTR);
        check(n, "sendto netlink");
        if (n != message.length) {
            throw new NetlinkException(Errno.EMSGSIZE, "sendto netlink: short write " + n, null);
        }
    }

    /**
     * Receives one datagram into {@code into} and returns its length. MSG_TRUNC makes the kernel
     * report the real size, so a datagram larger than the buffer fails loudly (EMSGSIZE) instead
     * of being silently cut. Datagrams not sent by the kernel (port id != 0) are dropped: another
     * privileged process could otherwise inject replies.
     */
    public static int receiveFromKernel(int fd, byte[] into) {
        byte[] sender = new byte[SOCKADDR_NL_SIZE];
        while (true) {
            long n = recvfrom0(fd, into, 0, into.length, MSG_TRUNC, sender);
            if (n == -Errno.EINTR) {
                continue;
            }
            if (n == -Errno.EAGAIN) {
                throw new NetlinkException(Errno.EAGAIN, "recvfrom netlink: no answer from the kernel in time", null);
            }
            check(n, "recvfrom netlink");
            if (n > into.length) {
                throw new NetlinkException(Errno.EMSGSIZE,
                        "recvfrom netlink: datagram of " + n + " bytes exceeds buffer of " + into.length, null);
            }
            if (ByteBuffer.wrap(sender).order(ByteOrder.nativeOrder()).getInt(NL_PID_OFFSET) != 0) {
                continue; // not from the kernel
            }
            return (int) n;
        }
    }

    /**
     * Writes {@code data[offset, offset + length)} to a connected stream socket and returns how
     * many bytes went out (possibly fewer). MSG_NOSIGNAL: a closed peer is EPIPE, not SIGPIPE.
     * EINTR is retried; a send timeout is EAGAIN.
     */
    public static int send(int fd, byte[] data, int offset, int length, String what) {
        long n;
        do {
            n = sendto0(fd, data, offset, length, MSG_NOSIGNAL, null);
        } while (n == -Errno.EINTR);
        return (int) check(n, "send", what);
    }

    /**
     * Reads from a connected stream socket into {@code into[offset, offset + length)}; returns the
     * count, 0 at end of stream. EINTR is retried; a receive timeout is EAGAIN.
     */
    public static int receive(int fd, byte[] into, int offset, int length, String what) {
        long n;
        do {
            n = recvfrom0(fd, into, offset, length, 0, null);
        } while (n == -Errno.EINTR);
        return (int) check(n, "recv", what);
    }

    /**
     * The descriptor behind a JDK socket channel, for the calls the JDK does not make on it (recvmsg with
     * descriptors): found through the channel implementation's own accessor, which JNI can reach although
     * {@code sun.nio.ch} is not exported. The channel keeps owning it: never close it here.
     *
     * @throws NetlinkException ENOTSUP on a JDK whose channels lack the accessor
     */
    public static int channelDescriptor(java.nio.channels.SocketChannel channel) {
        return (int) check(channelFd0(channel), "find the descriptor of", String.valueOf(channel));
    }

    /**
     * {@code recvmsg(2)} without blocking (MSG_DONTWAIT) into {@code into[offset, offset + length)}, taking the
     * descriptors the message carries (SCM_RIGHTS, close-on-exec). {@code passed[0]}: the first of them, now the
     * caller's to close, or -1; {@code passed[1]}: how many the message carried (all but the first are already
     * closed). Returns the byte count, 0 at end of stream, -1 when nothing is there yet (EAGAIN); EINTR is
     * retried.
     *
     * @throws NetlinkException EMSGSIZE when the message carried more than {@value #MAX_PASSED_DESCRIPTORS}
     *                          descriptors (the kernel truncated them: every one received is closed); any
     *                          other failure with its errno
     */
    public static int receiveWithDescriptor(int fd, byte[] into, int offset, int length, int[] passed) {
        int[] out = new int[3];
        long n;
        do {
            n = recvmsg0(fd, into, offset, length, MSG_DONTWAIT, out);
        } while (n == -Errno.EINTR);
        if (n == -Errno.EAGAIN) {
            passed[0] = -1;
            passed[1] = 0;
            return -1;
        }
        check(n, "recvmsg", "with descriptors");
        if ((out[2] & MSG_CTRUNC) != 0) {
            throw new NetlinkException(Errno.EMSGSIZE, "recvmsg: the message carried more than "
                    + MAX_PASSED_DESCRIPTORS + " descriptors (control data truncated); closed them all", null);
        }
        passed[0] = out[0];
        passed[1] = out[1];
        return (int) n;
    }

    /**
     * {@code sendmsg(2)} of {@code data[offset, offset + length)} on a connected stream socket with
     * {@code descriptors} (1 to {@value #MAX_SENT_DESCRIPTORS}) as SCM_RIGHTS; returns how many bytes went out
     * (the descriptors travel with the first of them). MSG_NOSIGNAL; EINTR is retried.
     */
    public static int sendWithDescriptors(int fd, byte[] data, int offset, int length, int[] descriptors) {
        if (descriptors.length < 1 || descriptors.length > MAX_SENT_DESCRIPTORS) {
            throw new IllegalArgumentException("1 to " + MAX_SENT_DESCRIPTORS + " descriptors, not "
                    + descriptors.length);
        }
        long n;
        do {
            n = sendmsg0(fd, data, offset, length, MSG_NOSIGNAL, descriptors);
        } while (n == -Errno.EINTR);
        return (int) check(n, "sendmsg", "with descriptors");
    }

    /** {@code shutdown(SHUT_WR)}: tells the peer the request is complete. */
    public static void shutdownOutput(int fd, String what) {
        check(shutdown0(fd, SHUT_WR), "shutdown", what);
    }

    /**
     * {@code open(2)} read-only with O_CLOEXEC (as {@code openat(AT_FDCWD, ...)}); ENOENT becomes
     * {@link NetlinkException.NoSuchObject}.
     */
    public static int openReadOnly(String path) {
        return open(path, O_RDONLY | O_CLOEXEC);
    }

    /**
     * {@code open(2)} with O_PATH and O_CLOEXEC: a handle on the file itself that opens nothing (a FIFO does not
     * block, a device is not opened); ENOENT becomes {@link NetlinkException.NoSuchObject}.
     */
    public static int openPathOnly(String path) {
        return open(path, O_PATH | O_CLOEXEC);
    }

    private static int open(String path, int flags) {
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        byte[] terminated = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, terminated, 0, bytes.length);
        return (int) check(openat0(terminated, flags), "open", path);
    }

    /** {@code close(2)}. EINTR is not retried: on Linux the descriptor is released anyway. */
    public static void close(int fd) {
        long rc = close0(fd);
        if (rc < 0 && rc != -Errno.EINTR) {
            throw failure(rc, "close fd " + fd);
        }
    }

    /** {@code setns(2)}: moves the calling OS thread into the namespace of {@code fd}. */
    public static void setns(int fd, int nstype, String what) {
        check(setns0(fd, nstype), "setns", what);
    }

    private static byte[] netlinkAddress(int portId, int groups) {
        return ByteBuffer.allocate(SOCKADDR_NL_SIZE).order(ByteOrder.nativeOrder())
                .putShort((short) AF_NETLINK).putShort((short) 0).putInt(portId).putInt(groups).array();
    }

    /** struct timeval { long tv_sec; long tv_usec; } (64-bit). */
    private static byte[] timeval(Duration timeout) {
        return ByteBuffer.allocate(16).order(ByteOrder.nativeOrder())
                .putLong(timeout.toSeconds()).putLong(timeout.toMillisPart() * 1000L).array();
    }

    /** {@code rc} unchanged when it is not an error, else the exception for its errno. */
    private static long check(long rc, String op) {
        if (rc < 0) {
            throw failure(rc, op);
        }
        return rc;
    }

    /**
     * As {@link #check(long, String)}, naming the call "verb subject" only on failure: building the
     * name on every successful call would be interpreted work in each plugin run.
     */
    private static long check(long rc, String verb, String subject) {
        if (rc < 0) {
            throw failure(rc, verb + " " + subject);
        }
        return rc;
    }

    /** The exception for a negative result: its errno, named by {@code op}. */
    private static NetlinkException failure(long rc, String op) {
        return NetlinkException.of((int) -rc, op);
    }

    // The native side returns the call's result or minus errno (vpccni_syscall.c).

    private static native long socket0(int domain, int type, int protocol);

    private static native long close0(int fd);

    private static native long setns0(int fd, int nstype);

    private static native long shutdown0(int fd, int how);

    private static native long openat0(byte[] nulTerminatedPath, int flags);

    private static native long bind0(int fd, byte[] address);

    private static native long connect0(int fd, byte[] address);

    private static native long setsockopt0(int fd, int level, int option, byte[] value);

    private static native long sendto0(int fd, byte[] data, int offset, int length, int flags, byte[] address);

    private static native long channelFd0(Object channel);

    private static native long recvmsg0(int fd, byte[] data, int offset, int length, int flags, int[] out);

    private static native long sendmsg0(int fd, byte[] data, int offset, int length, int flags, int[] fds);

    private static native long recvfrom0(int fd, byte[] data, int offset, int length, int flags, byte[] address);
}
