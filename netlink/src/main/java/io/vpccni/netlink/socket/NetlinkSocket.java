package io.vpccni.netlink.socket;

import io.vpccni.netlink.error.Errno;
import io.vpccni.netlink.error.NetlinkException;
import io.vpccni.netlink.sys.LibC;
import io.vpccni.netlink.message.Message;
import io.vpccni.netlink.message.NlMsgErr;
import io.vpccni.netlink.message.NlMsgHdr;
import io.vpccni.netlink.message.ReplyCollector;
import io.vpccni.netlink.message.Request;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A NETLINK_ROUTE socket that does one request/reply exchange at a time. A lock serialises
 * exchanges, so one socket may be shared by threads (virtual ones too: nothing here depends on
 * the OS thread). The socket belongs to the namespace it was opened in, whichever thread uses it.
 */
public final class NetlinkSocket implements AutoCloseable {
    /**
     * At least 32 KiB is what the kernel documentation asks of readers; dumps put up to 32 KiB
     * in one datagram on current kernels, so 64 KiB leaves room.
     */
    static final int RECEIVE_BUFFER = 64 * 1024;
    /** An rtnetlink answer takes microseconds; a missing one is a bug we want to see, not a hang. */
    static final Duration RECEIVE_TIMEOUT = Duration.ofSeconds(10);
    /** A dump interrupted by concurrent changes (NLM_F_DUMP_INTR) is retried this often. */
    static final int DUMP_ATTEMPTS = 5;

    private final int fd;
    private final ReentrantLock lock = new ReentrantLock();
    /** Written under the lock; volatile, not an AtomicBoolean, whose VarHandle costs a plugin process about a millisecond. */
    private volatile boolean closed;
    private final byte[] buffer = new byte[RECEIVE_BUFFER];
    /**
     * Sequence numbers only pair replies with requests on this one socket, so any start will do;
     * the clock gives a different one per socket, which reads better in a trace than 1, 2, 3.
     * Not ThreadLocalRandom: seeding it on the thread that opens the socket (a fresh one per
     * namespace switch) showed up in a plugin run's profile.
     */
    private int seq = (int) (System.nanoTime() & (Integer.MAX_VALUE / 2)) + 1;

    private NetlinkSocket(int fd) {
        this.fd = fd;
    }

    /** Opens and binds a route netlink socket in the calling thread's network namespace. */
    public static NetlinkSocket open() {
        int fd = LibC.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, LibC.NETLINK_ROUTE);
        try {
            optional(fd, LibC.NETLINK_EXT_ACK); // kernel explanations in errors (4.12+)
            optional(fd, LibC.NETLINK_CAP_ACK); // errors echo only the request's header
            LibC.setReceiveTimeout(fd, RECEIVE_TIMEOUT);
            LibC.bindNetlink(fd, 0, 0);
            return new NetlinkSocket(fd);
        } catch (RuntimeException e) {
            LibC.close(fd);
            throw e;
        }
    }

    private static void optional(int fd, int option) {
        try {
            LibC.setSocketOption(fd, LibC.SOL_NETLINK, option, 1);
        } catch (NetlinkException e) {
            if (e.errno() != Errno.ENOPROTOOPT) { // older kernel: carry on without
                throw e;
            }
        }
    }

    /**
     * Sends {@code request} and reads until its ACK, error or NLMSG_DONE; returns the data
     * messages. A dump the kernel marks as interrupted is retried.
     *
     * @throws NetlinkException with the request's operation name when the kernel refuses it
     */
    public List<Message> execute(Request request) {
        lock.lock();
        try {
            for (int attempt = 1; ; attempt++) {
                ReplyCollector replies = exchange(request);
                if (replies.failure().isPresent()) {
                    NlMsgErr err = replies.failure().get();
                    throw NetlinkException.of(err.errno(), request.operation(), err.kernelMessage().orElse(null));
                }
                if (!replies.interrupted()) {
                    return replies.data();
                }
                if (attempt == DUMP_ATTEMPTS) {
                    throw new NetlinkException(Errno.EINTR, request.operation()
                            + ": dump kept changing under us (NLM_F_DUMP_INTR) after " + attempt + " attempts", null);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private ReplyCollector exchange(Request request) {
        if (closed) {
            throw new IllegalStateException("netlink socket is closed");
        }
        int s = nextSeq();
        byte[] bytes = request.bytes().clone(); // a Request may be sent again (dump retry)
        NlMsgHdr.stampSequence(bytes, s);
        LibC.sendToKernel(fd, bytes);
        ReplyCollector replies = new ReplyCollector(s, request.dump());
        while (true) {
            int n = LibC.receiveFromKernel(fd, buffer);
            // Messages are views of the array they were split from, and the buffer is reused by
            // the next receive (often the ACK after the data), so each datagram gets its own copy.
            for (Message m : Message.split(Arrays.copyOf(buffer, n), n)) {
                if (replies.accept(m)) {
                    return replies;
                }
            }
        }
    }

    private int nextSeq() {
        seq = seq == Integer.MAX_VALUE ? 1 : seq + 1;
        return seq;
    }

    /** Closes the socket; a second call does nothing. Waits for a running exchange to finish. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (!closed) { // under the lock: one close only
                closed = true;
                LibC.close(fd);
            }
        } finally {
            lock.unlock();
        }
    }
}
