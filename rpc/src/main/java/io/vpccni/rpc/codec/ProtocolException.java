package io.vpccni.rpc.codec;

/** A message that cannot be decoded (or encoded) as the protocol requires; the text says why. */
public class ProtocolException extends Exception {
    public ProtocolException(String message) {
        super(message);
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
