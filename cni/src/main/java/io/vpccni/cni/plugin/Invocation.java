package io.vpccni.cni.plugin;

import io.vpccni.cni.dataplane.HostNamespace;
import io.vpccni.cni.log.PluginLog;
import io.vpccni.cni.spec.CmdArgs;
import io.vpccni.cni.spec.NetConf;

/** Everything a verb handler needs, parsed and validated once by the {@link Dispatcher}. */
record Invocation(CmdArgs args, NetConf conf, PluginLog log, HostNamespace host, Ipamd ipamd) {
    String containerId() {
        return args.containerId();
    }
}
