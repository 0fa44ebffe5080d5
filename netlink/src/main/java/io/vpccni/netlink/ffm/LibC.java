package io.vpccni.netlink.ffm;

import io.vpccni.netlink.error.Errno;
import io.vpccni.netlink.error.NetlinkException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.time.Duration;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The libc calls this library needs (socket, bind, setsockopt, sendto, recvfrom, open, close,
 * setns), as FFM downcalls that capture errno and turn a failure into a {@link NetlinkException}
 * naming the call.
 *
 * <p>Startup matters (the CNI plugin is a short-lived process), so nothing is linked in a static
 * initialiser of this class: each downcall handle sits in its own nested holder class, which the
 * JVM initialises lazily and thread-safely on first use. A plugin that never enters a namespace
 * never pays for {@code setns}. Native memory comes from a confined {@link Arena} per call, so
 * nothing outlives the call and nothing is shared between threads.
 *
 * <p>Linux only, 64-bit (x86_64/aarch64): the constants below and the {@code timeval} layout
 * are the generic Linux ones.
 */
public final class LibC {
    public static final int AF_NETLINK = 16;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int NETLINK_ROUTE = 0;
    public static final int O_RDONLY = 0;
    public static final int O_CLOEXEC = 0x80000;
    public static final int CLONE_NEWNET = 0x40000000;
    public static final int SOL_SOCKET = 1;
    public static final int SO_RCVBUF = 8;
    public static final int SO_RCVTIMEO = 20;
    public static final int SOL_NETLINK = 270;
    public static final int NETLINK_CAP_ACK = 10;
    public static final int NETLINK_EXT_ACK = 11;
    private static final int MSG_TRUNC = 0x20;

    /** struct sockaddr_nl: nl_family u16, nl_pad u16, nl_pid u32, nl_groups u32. */
    private static final StructLayout SOCKADDR_NL = MemoryLayout.structLayout(
            ValueLayout.JAVA_SHORT.withName("nl_family"),
            ValueLayout.JAVA_SHORT.withName("nl_pad"),
            JAVA_INT.withName("nl_pid"),
            JAVA_INT.withName("nl_groups"));
    private static final long NL_PID_OFFSET = 4;

    private LibC() {}

    /** {@code socket(2)}; returns the new descriptor. */
    public static int socket(int domain, int type, int protocol) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(ErrnoCapture.LAYOUT);
            int fd = (int) Handles.Socket.H.invokeExact(state, domain, type, protocol);
            return check(fd, state, "socket");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code bind(2)} of a netlink socket; port id 0 lets the kernel choose. */
    public static void bindNetlink(int fd, int portId, int groups) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = netlinkAddress(arena, portId, groups);
            MemorySegment state = arena.allocate(ErrnoCapture.LAYOUT);
            int rc = (int) Handles.Bind.H.invokeExact(state, fd, addr, (int) SOCKADDR_NL.byteSize());
            check(rc, state, "bind AF_NETLINK");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code setsockopt(2)} with an int value. */
    public static void setSocketOption(int fd, int level, int option, int value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocateFrom(JAVA_INT, value);
            MemorySegment state = arena.allocate(ErrnoCapture.LAYOUT);
            int rc = (int) Handles.SetSockOpt.H.invokeExact(state, fd, level, option, v, (int) JAVA_INT.byteSize());
            check(rc, state, "setsockopt " + level + "/" + option);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** SO_RCVTIMEO, so a kernel that never answers becomes an EAGAIN error instead of a hang. */
    public static void setReceiveTimeout(int fd, Duration timeout) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment tv = arena.allocate(16, 8); // struct timeval { long tv_sec; long tv_usec; }
            tv.set(JAVA_LONG, 0, timeout.toSeconds());
            tv.set(JAVA_LONG, 8, timeout.toMillisPart() * 1000L);
            MemorySegment state = arena.allocate(ErrnoCapture.LAYOUT);
            int rc = (int) Handles.SetSockOpt.H.invokeExact(state, fd, SOL_SOCKET, SO_RCVTIMEO, tv, 16);
            check(rc, state, "setsockopt SO_RCVTIMEO");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Sends one datagram to the kernel (netlink port 0). */
    public static void sendToKernel(int fd, byte[] message) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocateFrom(ValueLayout.JAVA_BYTE, message);
            MemorySegment addr = netlinkAddress(arena, 0, 0);
            MemorySegment state = arena.allocate(ErrnoCapture.LAYOUT);
            while (true) {
                long n = (long) Handles.SendTo.H.invokeExact(state, fd, buf, (long) message.length, 0,
                        addr, (int) SOCKADDR_NL.byteSize());
                if (n >= 0 || errno(state) != Errno.EINTR) {
                    check(n, state, "sendto netlink");
                    if (n != message.length) {
                        throw new NetlinkException(Errno.EMSGSIZE, "sendto netlink: short write " + n, null);
                    }
                    return;
                }
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Receives one datagram into {@code into} and returns its length. MSG_TRUNC makes the kernel
     * report the real size, so a datagram larger than the buffer fails loudly (EMSGSIZE) instead
     * of being silently cut. Datagrams not sent by the kernel (port id != 0) are dropped: another
     * privileged process could otherwise inject replies.
     */
    public static int receiveFromKernel(int fd, byte[] into) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(into.length);
            MemorySegment addr = arena.allocate(SOCKADDR_NL);
            MemorySegment addrLen = arena.allocate(JAVA_INT);
            MemorySegment state = arena.allocate(ErrnoCapture.LAYOUT);
            while (true) {
                addrLen.set(JAVA_INT, 0, (int) SOCKADDR_NL.byteSize());
                long n = (long) Handles.RecvFrom.H.invokeExact(state, fd, buf, (long) into.length, MSG_TRUNC,
                        addr, addrLen);
                if (n < 0 && errno(state) == Errno.EINTR) {
                    continue;
                }
                if (n < 0 && errno(state) == Errno.EAGAIN) {
                    throw new NetlinkException(Errno.EAGAIN, "recvfrom netlink: no answer from the kernel in time", null);
                }
                check(n, state, "recvfrom netlink");
                if (n > into.length) {
                    throw new NetlinkException(Errno.EMSGSIZE,
                            "recvfrom netlink: datagram of " + n + " bytes exceeds buffer of " + into.length, null);
                }
                if (addr.get(JAVA_INT, NL_PID_OFFSET) != 0) {
                    continue; // not from the kernel
                }
                MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, 0, into, 0, (int) n);
                return (int) n;
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code open(2)} read-only with O_CLOEXEC; ENOENT becomes {@link NetlinkException.NoSuchObject}. */
    public static int openReadOnly(String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocateFrom(path);
            MemorySegment state = arena.allocate(ErrnoCapture.LAYOUT);
            int fd = (int) Handles.Open.H.invokeExact(state, p, O_RDONLY | O_CLOEXEC, 0);
            return check(fd, state, "open " + path);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code close(2)}. EINTR is not retried: on Linux the descriptor is released anyway. */
    public static void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(ErrnoCapture.LAYOUT);
            int rc = (int) Handles.Close.H.invokeExact(state, fd);
            if (rc < 0 && errno(state) != Errno.EINTR) {
                check(rc, state, "close fd " + fd);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code setns(2)}: moves the calling OS thread into the namespace of {@code fd}. */
    public static void setns(int fd, int nstype, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(ErrnoCapture.LAYOUT);
            int rc = (int) Handles.SetNs.H.invokeExact(state, fd, nstype);
            check(rc, state, "setns " + what);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static MemorySegment netlinkAddress(Arena arena, int portId, int groups) {
        MemorySegment addr = arena.allocate(SOCKADDR_NL);
        addr.set(ValueLayout.JAVA_SHORT, 0, (short) AF_NETLINK);
        addr.set(JAVA_INT, NL_PID_OFFSET, portId);
        addr.set(JAVA_INT, 8, groups);
        return addr;
    }

    private static int check(int rc, MemorySegment state, String op) {
        if (rc < 0) {
            throw NetlinkException.of(errno(state), op);
        }
        return rc;
    }

    private static long check(long rc, MemorySegment state, String op) {
        if (rc < 0) {
            throw NetlinkException.of(errno(state), op);
        }
        return rc;
    }

    private static int errno(MemorySegment state) {
        return (int) ErrnoCapture.ERRNO.get(state, 0L);
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("native call failed", t); // invokeExact declares Throwable
    }

    /** The errno capture layout, kept apart so it is built only on the first call. */
    private static final class ErrnoCapture {
        static final StructLayout LAYOUT = Linker.Option.captureStateLayout();
        static final VarHandle ERRNO = LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    }

    /** One holder per function: the JVM links each on first use only. */
    private static final class Handles {
        private static final Linker LINKER = Linker.nativeLinker();
        private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");

        private static MethodHandle link(String name, FunctionDescriptor fd, Linker.Option... more) {
            MemorySegment symbol = LINKER.defaultLookup().find(name)
                    .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
            Linker.Option[] options = new Linker.Option[more.length + 1];
            options[0] = ERRNO;
            System.arraycopy(more, 0, options, 1, more.length);
            return LINKER.downcallHandle(symbol, fd, options);
        }

        static final class Socket {
            static final MethodHandle H = link("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        }

        static final class Bind {
            static final MethodHandle H = link("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
        }

        static final class SetSockOpt {
            static final MethodHandle H = link("setsockopt",
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
        }

        static final class SendTo {
            static final MethodHandle H = link("sendto",
                    FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
        }

        static final class RecvFrom {
            static final MethodHandle H = link("recvfrom",
                    FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
        }

        static final class Open {
            // open(2) is variadic (the mode); declare it so, so the ABI's variadic rules are honoured.
            static final MethodHandle H = link("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
                    Linker.Option.firstVariadicArg(2));
        }

        static final class Close {
            static final MethodHandle H = link("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        }

        static final class SetNs {
            static final MethodHandle H = link("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
        }
    }
}
