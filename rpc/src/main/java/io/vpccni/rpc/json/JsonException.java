package io.vpccni.rpc.json;

/**
 * Input that is not one well-formed JSON value; the message says what was wrong and where.
 * {@link #truncated()} tells input that ended too early from input that is wrong where it stands,
 * since callers report the two differently. Thrown without a stack trace: it describes the input,
 * not a bug.
 */
public final class JsonException extends Exception {
    private final boolean truncated;

    JsonException(String message, boolean truncated) {
        super(message, null, false, false);
        this.truncated = truncated;
    }

    /** True when the input ended inside a value; more input might have made it well-formed. */
    public boolean truncated() {
        return truncated;
    }
}
