package io.vpccni.rpc.codec;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Constants of the plugin to ipamd protocol: one JSON request and one JSON reply per Unix domain
 * socket connection (docs/wire-formats.md section 1).
 *
 * <p>Evolution rule: within one {@link #PROTOCOL_VERSION} a peer may add optional fields (the other
 * side ignores fields it does not know); anything else (a new message type, a new reason code, a
 * changed meaning) bumps the version, and both sides reject a version they do not speak.
 */
public final class Protocol {
    public static final int PROTOCOL_VERSION = 1;

    /** Limit on either message; a pod's add is a few hundred bytes, so this only stops abuse. */
    public static final int MAX_MESSAGE_BYTES = 64 * 1024;

    public static final Path DEFAULT_SOCKET_PATH = Path.of("/var/run/vpc-cni/ipamd.sock");

    /**
     * Plugin side default: must exceed the time ipamd waits for a pool refill on an add, so that
     * the plugin sees ipamd's real reason rather than its own timeout.
     */
    public static final Duration DEFAULT_CLIENT_TIMEOUT = Duration.ofSeconds(30);

    /** Server side: the time a client has to send its request, and to take the reply. */
    public static final Duration DEFAULT_SERVER_IO_TIMEOUT = Duration.ofSeconds(5);

    private Protocol() {}
}
