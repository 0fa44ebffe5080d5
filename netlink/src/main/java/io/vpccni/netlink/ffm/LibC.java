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

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The system calls this library needs (socket, bind, setsockopt, sendto, recvfrom, openat, close,
 * setns), made through ONE FFM downcall: libc's {@code long syscall(long nr, ...)}. A failure
 * becomes a {@link NetlinkException} naming the call; errno is read and translated in one place
 * ({@link #syscall}).
 *
 * <p>Why one downcall shape instead of one handle per libc function: the CNI plugin is a
 * short-lived process and FFM generates each downcall stub (bytecode plus LambdaForms) at run
 * time, even with the AOT cache: the first costs tens of milliseconds, each further distinct
 * signature another 7 to 28 ms. With eight libc functions of eight signatures that was about a
 * quarter of a CNI ADD's CPU time (BENCHMARKS.md); with every call routed through
 * {@code syscall} as seven longs (pointers passed as {@link MemorySegment#address()}), a run
 * links exactly one stub. The price is the syscall numbers, which differ per architecture
 * ({@link Nr}).
 *
 * <p>Native memory comes from a confined {@link Arena} per call, so nothing outlives the call and
 * nothing is shared between threads; the addresses passed as longs point into that arena and are
 * valid for the call.
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
    private static final int AT_FDCWD = -100;
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
            return (int) check(syscall(arena, Nr.SOCKET, domain, type, protocol, 0, 0, 0), "socket");
        }
    }

    /** {@code bind(2)} of a netlink socket; port id 0 lets the kernel choose. */
    public static void bindNetlink(int fd, int portId, int groups) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = netlinkAddress(arena, portId, groups);
            check(syscall(arena, Nr.BIND, fd, addr.address(), addr.byteSize(), 0, 0, 0), "bind AF_NETLINK");
        }
    }

    /** {@code setsockopt(2)} with an int value. */
    public static void setSocketOption(int fd, int level, int option, int value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocateFrom(JAVA_INT, value);
            long rc = syscall(arena, Nr.SETSOCKOPT, fd, level, option, v.address(), v.byteSize(), 0);
            if (rc < 0) {
                throw failure(rc, "setsockopt " + level + "/" + option);
            }
        }
    }

    /** SO_RCVTIMEO, so a kernel that never answers becomes an EAGAIN error instead of a hang. */
    public static void setReceiveTimeout(int fd, Duration timeout) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment tv = arena.allocate(16, 8); // struct timeval { long tv_sec; long tv_usec; }
            tv.set(JAVA_LONG, 0, timeout.toSeconds());
            tv.set(JAVA_LONG, 8, timeout.toMillisPart() * 1000L);
            check(syscall(arena, Nr.SETSOCKOPT, fd, SOL_SOCKET, SO_RCVTIMEO, tv.address(), tv.byteSize(), 0),
                    "setsockopt SO_RCVTIMEO");
        }
    }

    /** Sends one datagram to the kernel (netlink port 0). */
    public static void sendToKernel(int fd, byte[] message) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocateFrom(ValueLayout.JAVA_BYTE, message);
            MemorySegment addr = netlinkAddress(arena, 0, 0);
            long n;
            do {
                n = syscall(arena, Nr.SENDTO, fd, buf.address(), message.length, 0, addr.address(), addr.byteSize());
            } while (n == -Errno.EINTR);
            check(n, "sendto netlink");
            if (n != message.length) {
                throw new NetlinkException(Errno.EMSGSIZE, "sendto netlink: short write " + n, null);
            }
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
            while (true) {
                addrLen.set(JAVA_INT, 0, (int) SOCKADDR_NL.byteSize());
                long n = syscall(arena, Nr.RECVFROM, fd, buf.address(), into.length, MSG_TRUNC,
                        addr.address(), addrLen.address());
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
                if (addr.get(JAVA_INT, NL_PID_OFFSET) != 0) {
                    continue; // not from the kernel
                }
                MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, 0, into, 0, (int) n);
                return (int) n;
            }
        }
    }

    /**
     * {@code open(2)} read-only with O_CLOEXEC (as {@code openat(AT_FDCWD, ...)}: aarch64 has no
     * {@code open} syscall); ENOENT becomes {@link NetlinkException.NoSuchObject}.
     */
    public static int openReadOnly(String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocateFrom(path);
            long fd = syscall(arena, Nr.OPENAT, AT_FDCWD, p.address(), O_RDONLY | O_CLOEXEC, 0, 0, 0);
            if (fd < 0) {
                throw failure(fd, "open " + path);
            }
            return (int) fd;
        }
    }

    /** {@code close(2)}. EINTR is not retried: on Linux the descriptor is released anyway. */
    public static void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            long rc = syscall(arena, Nr.CLOSE, fd, 0, 0, 0, 0, 0);
            if (rc < 0 && rc != -Errno.EINTR) {
                throw failure(rc, "close fd " + fd);
            }
        }
    }

    /** {@code setns(2)}: moves the calling OS thread into the namespace of {@code fd}. */
    public static void setns(int fd, int nstype, String what) {
        try (Arena arena = Arena.ofConfined()) {
            long rc = syscall(arena, Nr.SETNS, fd, nstype, 0, 0, 0, 0);
            if (rc < 0) {
                throw failure(rc, "setns " + what);
            }
        }
    }

    private static MemorySegment netlinkAddress(Arena arena, int portId, int groups) {
        MemorySegment addr = arena.allocate(SOCKADDR_NL);
        addr.set(ValueLayout.JAVA_SHORT, 0, (short) AF_NETLINK);
        addr.set(JAVA_INT, NL_PID_OFFSET, portId);
        addr.set(JAVA_INT, 8, groups);
        return addr;
    }

    /**
     * The native boundary: {@code syscall(nr, a1..a6)} through the one downcall handle. Returns
     * the call's result, or on failure minus the errno (the kernel's own convention), so callers
     * can test for EINTR/EAGAIN without a second out-value. Unused arguments are passed as 0; the
     * kernel ignores them.
     */
    private static long syscall(Arena arena, long nr, long a1, long a2, long a3, long a4, long a5, long a6) {
        MemorySegment state = arena.allocate(Native.CAPTURE_LAYOUT);
        long rc;
        try {
            rc = (long) Native.SYSCALL.invokeExact(state, nr, a1, a2, a3, a4, a5, a6);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        // libc's syscall() maps the kernel's -4095..-1 to -1 and errno; map it back.
        return rc == -1 ? -(int) Native.ERRNO.get(state, 0L) : rc;
    }

    /** {@code rc} unchanged when it is not an error, else the exception for its errno. */
    private static long check(long rc, String op) {
        if (rc < 0) {
            throw failure(rc, op);
        }
        return rc;
    }

    /** The exception for a negative result of {@link #syscall}: its errno, named by {@code op}. */
    private static NetlinkException failure(long rc, String op) {
        return NetlinkException.of((int) -rc, op);
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

    /**
     * The one downcall handle, linked on first use (a plugin run that makes no syscall, such as
     * VERSION, never loads the linker). Shape: {@code long syscall(long, long, long, long, long,
     * long, long)} with errno captured.
     *
     * <p>libc declares {@code syscall} variadic, but it is bound here as a fixed seven-long
     * function on purpose: with {@link Linker.Option#firstVariadicArg} FFM generates nine more
     * classes at link time, measured at 20 to 70 ms of CPU per process (BENCHMARKS.md). It is
     * safe on the two ABIs we support: on aarch64 Linux variadic arguments travel exactly like
     * named ones, and on x86_64 the only difference is %al (the number of vector registers used),
     * which glibc's {@code syscall} (assembly) ignores and a C {@code va_start} prologue only uses
     * to decide whether to spill the XMM registers. Every argument is a long, so there are no
     * default promotions to get wrong either.
     */
    private static final class Native {
        static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
        static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        static final MethodHandle SYSCALL;

        static {
            Linker linker = Linker.nativeLinker();
            MemorySegment symbol = linker.defaultLookup().find("syscall")
                    .orElseThrow(() -> new UnsatisfiedLinkError("libc has no syscall"));
            SYSCALL = linker.downcallHandle(symbol,
                    FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
                    Linker.Option.captureCallState("errno"));
        }
    }

    /**
     * System call numbers: x86_64 has its own table, aarch64 the generic one
     * (include/uapi/asm-generic/unistd.h). Both are part of the kernel ABI and never change.
     */
    private static final class Nr {
        static final long SOCKET;
        static final long BIND;
        static final long SETSOCKOPT;
        static final long SENDTO;
        static final long RECVFROM;
        static final long OPENAT;
        static final long CLOSE;
        static final long SETNS;

        static {
            String arch = System.getProperty("os.arch");
            switch (arch) {
                case "amd64", "x86_64" -> {
                    SOCKET = 41; BIND = 49; SETSOCKOPT = 54; SENDTO = 44; RECVFROM = 45;
                    OPENAT = 257; CLOSE = 3; SETNS = 308;
                }
                case "aarch64" -> {
                    SOCKET = 198; BIND = 200; SETSOCKOPT = 208; SENDTO = 206; RECVFROM = 207;
                    OPENAT = 56; CLOSE = 57; SETNS = 268;
                }
                default -> throw new UnsupportedOperationException("no syscall table for os.arch " + arch);
            }
        }
    }
}
