package io.vpccni.ipamd.checkpoint;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The checkpoint could not be read or written. Never swallowed into "no checkpoint": starting empty after
 * losing the file could hand an address that a running pod still uses to a second pod. The caller decides
 * (ipamd refuses to start on a read failure; an add whose write fails is unwound and answered with an error).
 */
public final class CheckpointException extends RuntimeException {

    /** What went wrong, for callers that branch on it. */
    public enum Reason {
        /** The file exists but could not be read (permissions, I/O error, it is a directory). */
        UNREADABLE,
        /** The file is not a checkpoint: not JSON, truncated, or a field of the wrong type. */
        CORRUPT,
        /** A well-formed checkpoint in a format version we do not know. */
        UNSUPPORTED_VERSION,
        /** Writing, syncing or renaming failed, or the snapshot to write could not be taken. */
        WRITE_FAILED
    }

    private final Reason reason;
    private final Path path;
    private final String detail;

    public CheckpointException(Reason reason, Path path, String detail, Throwable cause) {
        super(message(reason, path, detail, cause), cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.path = path;
        this.detail = Objects.requireNonNull(detail, "detail");
    }

    public CheckpointException(Reason reason, Path path, String detail) {
        this(reason, path, detail, null);
    }

    public Reason reason() {
        return reason;
    }

    /** The checkpoint file, when the failure is tied to one. */
    public Optional<Path> path() {
        return Optional.ofNullable(path);
    }

    /** What was wrong, without the path. */
    public String detail() {
        return detail;
    }

    /**
     * The same failure, raised again in another thread (the group-commit waiters), so that each thread's
     * stack trace shows where it was waiting while the cause shows where the write failed.
     */
    CheckpointException rethrownHere() {
        return new CheckpointException(reason, path, detail, this);
    }

    private static String message(Reason reason, Path path, String detail, Throwable cause) {
        String where = path == null ? "checkpoint" : "checkpoint " + path;
        String why = cause == null || cause instanceof CheckpointException ? "" : " (" + cause + ")";
        return where + ": " + describe(reason) + ": " + detail + why;
    }

    private static String describe(Reason reason) {
        return switch (reason) {
            case UNREADABLE -> "cannot be read";
            case CORRUPT -> "is corrupt";
            case UNSUPPORTED_VERSION -> "has an unsupported format version";
            case WRITE_FAILED -> "write failed";
        };
    }
}
