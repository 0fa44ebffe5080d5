package io.vpccni.cni.spec;

import java.util.Optional;

/** The verbs of CNI_COMMAND, each with the spec version that introduced it. */
public enum CniCommand {
    ADD(CniVersion.V0_3_0),
    DEL(CniVersion.V0_3_0),
    CHECK(CniVersion.V0_4_0),
    VERSION(CniVersion.V0_3_0),
    STATUS(CniVersion.V1_1_0),
    GC(CniVersion.V1_1_0);

    private final CniVersion since;

    CniCommand(CniVersion since) {
        this.since = since;
    }

    public CniVersion since() {
        return since;
    }

    public static Optional<CniCommand> of(String text) {
        for (CniCommand c : values()) {
            if (c.name().equals(text)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** As libcni's skel: CHECK under a 0.3.x config, or GC/STATUS under 1.0.0, is code 1. */
    public void requireAllowedBy(CniVersion configVersion) throws CniError {
        if (!configVersion.atLeast(since)) {
            throw new CniError(CniError.INCOMPATIBLE_VERSION, "config version "
                    + configVersion.text() + " does not allow " + name() + " (needs "
                    + since.text() + ")");
        }
    }
}
