package io.vpccni.ipamd.status;

/** One problem the status command points out; any warning makes the command exit 1. */
public record Warning(Kind kind, String message) {

    public enum Kind { NOT_READY, POOL_EMPTY, SUBNET_LOW, THROTTLED, PERMISSION_DENIED, ENI_LIMIT, GROW_BLOCKED,
        PREFIX_FALLBACK }

    @Override
    public String toString() {
        return kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + ": " + message;
    }
}
