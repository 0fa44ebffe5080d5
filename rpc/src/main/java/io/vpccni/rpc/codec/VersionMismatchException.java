package io.vpccni.rpc.codec;

/** The peer speaks another protocol version; kept apart so callers can say "upgrade", not "bug". */
public final class VersionMismatchException extends ProtocolException {
    private final long received;

    public VersionMismatchException(long received) {
        super("protocol version mismatch: peer speaks " + received + ", this side speaks "
                + Protocol.PROTOCOL_VERSION);
        this.received = received;
    }

    public long received() {
        return received;
    }
}
