package io.vpccni.cni.testing;

import java.util.LinkedHashMap;
import java.util.Map;

/** One plugin invocation's environment, built fluently; {@link #env()} is what the runtime would set. */
public final class PluginCall {
    private final Map<String, String> env = new LinkedHashMap<>();

    private PluginCall(String command) {
        env.put("CNI_COMMAND", command);
        env.put("CNI_PATH", "/usr/lib/cni");
    }

    /** ADD/DEL/CHECK for pod {@code default/<podName>} in {@code netns}, interface eth0. */
    public static PluginCall of(String command, String containerId, String netns, String podName) {
        PluginCall c = new PluginCall(command);
        c.env.put("CNI_CONTAINERID", containerId);
        c.env.put("CNI_NETNS", netns);
        c.env.put("CNI_IFNAME", "eth0");
        c.env.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=" + podName
                + ";K8S_POD_INFRA_CONTAINER_ID=" + containerId);
        return c;
    }

    public static PluginCall verb(String command) {
        return new PluginCall(command);
    }

    public PluginCall set(String key, String value) {
        env.put(key, value);
        return this;
    }

    public PluginCall without(String key) {
        env.remove(key);
        return this;
    }

    public Map<String, String> env() {
        return env;
    }
}
