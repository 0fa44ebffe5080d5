package io.vpccni.cni.plugin;

import io.vpccni.cni.dataplane.HostNamespace;
import io.vpccni.cni.log.PluginLog;
import io.vpccni.cni.spec.CmdArgs;
import io.vpccni.cni.spec.NetConf;

import java.util.OptionalInt;

/**
 * Everything a verb handler needs, parsed and validated once by the {@link Dispatcher}. {@code netnsDescriptor}: the
 * pod's namespace as the plugin shim opened it from CNI_NETNS and passed it, when the plugin runs in the daemon; the
 * daemon then never opens the runtime's path (it means what the runtime meant only in the runtime's mount namespace).
 */
record Invocation(CmdArgs args, NetConf conf, PluginLog log, HostNamespace host, Ipamd ipamd,
                  OptionalInt netnsDescriptor) {
    String containerId() {
        return args.containerId();
    }
}
