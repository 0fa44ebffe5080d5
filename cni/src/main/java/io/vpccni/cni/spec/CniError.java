package io.vpccni.cni.spec;

import io.vpccni.rpc.json.JsonWriter;
import java.util.Objects;

/**
 * A CNI error: spec code, message, details. Printed as {@code {"cniVersion","code","msg","details"}}
 * on stdout, followed by a non-zero exit. Thrown without a stack trace: it is an answer to the
 * runtime, not a bug report.
 */
public final class CniError extends Exception {
    public static final int INCOMPATIBLE_VERSION = 1;
    public static final int UNSUPPORTED_FIELD = 2;
    public static final int UNKNOWN_CONTAINER = 3;
    public static final int INVALID_ENVIRONMENT = 4;
    public static final int IO_FAILURE = 5;
    public static final int DECODING_FAILURE = 6;
    public static final int INVALID_NETWORK_CONFIG = 7;
    public static final int TRY_AGAIN_LATER = 11;
    /** STATUS: the plugin cannot serve ADDs now. */
    public static final int NOT_AVAILABLE = 50;
    /** STATUS: cannot serve ADDs, and existing pods may have limited connectivity. */
    public static final int NOT_AVAILABLE_LIMITED_CONNECTIVITY = 51;
    public static final int INTERNAL = 999;

    // Ours (the spec leaves 100 and up to plugins); 101..105 equal rpc's ReasonCode table.
    public static final int IPAMD_UNREACHABLE = 100;
    public static final int SUBNET_EXHAUSTED = 101;
    public static final int ENI_LIMIT_REACHED = 102;
    public static final int PERMISSION_DENIED = 103;
    public static final int IPAMD_BAD_REQUEST = 104;
    public static final int IPAMD_VERSION_MISMATCH = 105;
    /** ipamd answered something the plugin could not decode. */
    public static final int IPAMD_PROTOCOL_ERROR = 106;

    private final int code;
    private final String msg;
    private final String details;

    public CniError(int code, String msg, String details) {
        super(msg, null, false, false);
        this.code = code;
        this.msg = Objects.requireNonNull(msg, "msg");
        this.details = Objects.requireNonNull(details, "details");
    }

    public CniError(int code, String msg) {
        this(code, msg, "");
    }

    public int code() {
        return code;
    }

    public String msg() {
        return msg;
    }

    public String details() {
        return details;
    }

    @Override
    public String getMessage() {
        return details.isEmpty() ? msg : msg + "; " + details;
    }

    /** The error as the runtime reads it; "details" is left out when empty, as libcni does. */
    public String toJson(CniVersion version) {
        var out = new StringBuilder(128);
        var w = new JsonWriter(out).startObject();
        w.field("cniVersion", version.text());
        w.field("code", code);
        w.field("msg", msg);
        if (!details.isEmpty()) {
            w.field("details", details);
        }
        w.endObject();
        return out.toString();
    }
}
