package io.vpccni.cni.plugin;

import org.junit.jupiter.api.Tag;

/** {@link BadInputIT}'s cases with the plugin server answering the shim: the same codes, nothing changed. */
@Tag("privileged")
class ServedBadInputIT extends BadInputIT {
    @Override
    boolean pluginServer() {
        return true;
    }
}
