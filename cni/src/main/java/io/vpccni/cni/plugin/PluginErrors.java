package io.vpccni.cni.plugin;

/**
 * The plugin's own CNI error codes beyond those of ipamd's reasons (100 to 106, in
 * {@link io.vpccni.cni.spec.CniError}).
 */
final class PluginErrors {
    /** Building or removing the pod's veth, addresses, routes or rules failed in the kernel. */
    static final int DATAPLANE_FAILED = 110;
    /** CHECK found the attachment's data plane missing or different. */
    static final int CHECK_FAILED = 111;

    private PluginErrors() {}
}
