package io.vpccni.rpc.unix;

import io.vpccni.netlink.error.NetlinkException;
import io.vpccni.netlink.sys.LibC;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The descriptor a client passed with its request over a Unix socket (SCM_RIGHTS), for a server whose requests may
 * carry one ({@link UnixRequestServer.Exchange#takesDescriptor}): at most one per request. A second one, in the same
 * message or a later one, is closed at once and marks the request refused, with the reason. The server closes the
 * one it holds when the connection ends before its request is complete, and after the answer otherwise: a
 * descriptor received is closed on every path.
 *
 * <p>Why recvmsg through the JNI library: a JDK {@code SocketChannel} reads without a control buffer, and the kernel
 * then drops (closes) the descriptors a message carries.
 */
public final class PassedDescriptor {
    private int fd = -1;
    private String refused;
    private boolean closed;

    /** The descriptor passed with the request, if one was and the request was not refused; valid until closed. */
    public synchronized OptionalInt descriptor() {
        return fd < 0 || closed ? OptionalInt.empty() : OptionalInt.of(fd);
    }

    /** Why the request's descriptors are refused (more than one), if they are. */
    public synchronized Optional<String> refused() {
        return Optional.ofNullable(refused);
    }

    /**
     * Reads what has arrived on {@code channel} into {@code into} as {@link SocketChannel#read} would (-1 at end of
     * stream, 0 when nothing is there yet), keeping a descriptor the bytes carry in {@code passed}; {@code scratch}
     * is the caller's buffer for the bytes on their way (the selector thread's own).
     *
     * @throws IOException when the read fails, or a message carried more descriptors than recvmsg takes
     */
    static int read(SocketChannel channel, ByteBuffer into, PassedDescriptor passed, byte[] scratch)
            throws IOException {
        byte[] bytes = scratch;
        int[] got = new int[2];
        int n;
        try {
            n = LibC.receiveWithDescriptor(LibC.channelDescriptor(channel), bytes, 0,
                    Math.min(bytes.length, into.remaining()), got);
        } catch (NetlinkException e) {
            throw new IOException(e.getMessage(), e);
        }
        if (got[1] > 0) {
            passed.take(got[0], got[1]);
        }
        if (n < 0) {
            return 0; // nothing there yet
        }
        if (n == 0) {
            return -1;
        }
        into.put(bytes, 0, n);
        return n;
    }

    /** Keeps {@code descriptor} (one of {@code carried} the message held; the others are closed already). */
    private synchronized void take(int descriptor, int carried) {
        if (closed) {
            closeQuietly(descriptor);
            return;
        }
        if (fd >= 0 || carried > 1) {
            refused = "the request carried " + (carried + (fd >= 0 ? 1 : 0)) + " descriptors; at most one is taken";
            closeQuietly(descriptor);
            closeQuietly(fd);
            fd = -1;
            return;
        }
        if (refused != null) {
            closeQuietly(descriptor);
            return;
        }
        fd = descriptor;
    }

    /** Closes the descriptor held, if any; later ones are closed as they arrive. A second call does nothing. */
    synchronized void close() {
        if (!closed) {
            closed = true;
            closeQuietly(fd);
            fd = -1;
        }
    }

    private static void closeQuietly(int descriptor) {
        if (descriptor >= 0) {
            try {
                LibC.close(descriptor);
            } catch (NetlinkException ignored) {
                // closed anyway on Linux; nothing else to do with it
            }
        }
    }
}
