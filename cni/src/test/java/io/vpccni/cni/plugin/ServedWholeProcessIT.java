package io.vpccni.cni.plugin;

import org.junit.jupiter.api.Tag;

/** {@link WholeProcessIT}'s tests with the plugin server answering the shim, as on a node with ipamd running. */
@Tag("privileged")
class ServedWholeProcessIT extends WholeProcessIT {
    @Override
    boolean pluginServer() {
        return true;
    }
}
