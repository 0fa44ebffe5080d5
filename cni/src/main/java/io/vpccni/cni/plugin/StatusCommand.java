package io.vpccni.cni.plugin;

import io.vpccni.cni.spec.CniError;
import io.vpccni.rpc.message.StatusOk;

/** STATUS: ready only while ipamd answers and has an address to give (code 50 otherwise). */
final class StatusCommand {
    private StatusCommand() {}

    static String run(Invocation inv) throws CniError {
        StatusOk s;
        try {
            s = inv.ipamd().status();
        } catch (Ipamd.Unreachable e) {
            throw new CniError(CniError.NOT_AVAILABLE, "ipamd is unreachable", e.getMessage());
        } catch (CniError e) {
            throw new CniError(CniError.NOT_AVAILABLE, "ipamd refused STATUS: " + e.msg(), e.details());
        }
        if (!s.ready()) {
            throw new CniError(CniError.NOT_AVAILABLE, "ipamd is not ready: " + s.reason());
        }
        if (s.availableAddresses() == 0) {
            throw new CniError(CniError.NOT_AVAILABLE, "ipamd has no free address"
                    + (s.reason().isEmpty() ? "" : ": " + s.reason()));
        }
        return "";
    }
}
