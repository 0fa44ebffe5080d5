package io.vpccni.netlink.error;

import java.util.Optional;

/**
 * A failed netlink request or namespace syscall: the operation (for example
 * {@code "RTM_NEWROUTE 10.0.0.5/32 table 3"}), the positive errno and, when the kernel sent
 * one through extended ACK, its own explanation.
 *
 * <p>Unchecked on purpose: every call into this library can fail this way and the callers
 * (CNI verbs, ipamd's reconciler) handle it at the verb level, with rollback. Callers branch on
 * the subtypes, never on message text: {@link NoSuchObject} (and its {@link NoSuchLink}) means
 * "already gone", which teardown treats as success; {@link AlreadyExists} means a create found
 * its object present. {@link #of} is the one place that maps errno to a subtype.
 */
public sealed class NetlinkException extends RuntimeException
        permits NetlinkException.NoSuchObject, NetlinkException.AlreadyExists {

    private final int errno;
    private final String operation;
    private final String kernelMessage;

    public NetlinkException(int errno, String operation, String kernelMessage) {
        super(format(errno, operation, kernelMessage));
        this.errno = errno;
        this.operation = operation;
        this.kernelMessage = kernelMessage;
    }

    /**
     * The exception for {@code errno}: ENODEV gives {@link NoSuchLink}; ENOENT, ESRCH and
     * EADDRNOTAVAIL (what RTM_DELADDR answers for a missing address) give {@link NoSuchObject};
     * EEXIST gives {@link AlreadyExists}; anything else the base type.
     *
     * @param kernelMessage the extended-ACK text, or null
     */
    public static NetlinkException of(int errno, String operation, String kernelMessage) {
        return switch (errno) {
            case Errno.ENODEV -> new NoSuchLink(errno, operation, kernelMessage);
            case Errno.ENOENT, Errno.ESRCH, Errno.EADDRNOTAVAIL -> new NoSuchObject(errno, operation, kernelMessage);
            case Errno.EEXIST -> new AlreadyExists(errno, operation, kernelMessage);
            default -> new NetlinkException(errno, operation, kernelMessage);
        };
    }

    public static NetlinkException of(int errno, String operation) {
        return of(errno, operation, null);
    }

    /** Positive errno, e.g. 17 for EEXIST. */
    public int errno() {
        return errno;
    }

    /** What was attempted, e.g. {@code "RTM_DELLINK index 7"} or {@code "open /var/run/netns/x"}. */
    public String operation() {
        return operation;
    }

    /** The kernel's extended-ACK explanation, when it gave one. */
    public Optional<String> kernelMessage() {
        return Optional.ofNullable(kernelMessage);
    }

    private static String format(int errno, String operation, String kernelMessage) {
        String base = operation + ": " + Errno.describe(errno) + " (" + Errno.name(errno) + ")"
                + (errno == Errno.EPERM ? missingCapability(operation) : "");
        return kernelMessage == null || kernelMessage.isBlank() ? base : base + ": " + kernelMessage;
    }

    /**
     * What EPERM means for the calls a daemon in a container makes without all capabilities: the one the kernel
     * asked for, named, so that a container started without it says so instead of a bare errno.
     */
    private static String missingCapability(String operation) {
        if (operation.startsWith("setns")) {
            return ": entering a namespace takes CAP_SYS_ADMIN, which this process lacks";
        }
        if (operation.startsWith("RTM_")) {
            return ": changing links, addresses, routes, rules or neighbours takes CAP_NET_ADMIN, which this process "
                    + "lacks";
        }
        return "";
    }

    /** The object (route, rule, address, neighbour, namespace file, link) does not exist. */
    public static sealed class NoSuchObject extends NetlinkException permits NoSuchLink {
        public NoSuchObject(int errno, String operation, String kernelMessage) {
            super(errno, operation, kernelMessage);
        }
    }

    /** The network device does not exist (ENODEV). */
    public static final class NoSuchLink extends NoSuchObject {
        public NoSuchLink(int errno, String operation, String kernelMessage) {
            super(errno, operation, kernelMessage);
        }
    }

    /** A create found the object already there (EEXIST). */
    public static final class AlreadyExists extends NetlinkException {
        public AlreadyExists(int errno, String operation, String kernelMessage) {
            super(errno, operation, kernelMessage);
        }
    }
}
