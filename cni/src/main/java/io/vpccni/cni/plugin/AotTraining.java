package io.vpccni.cni.plugin;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The workload of the package-time AOT training run ({@code package.sh}): replays the invocations
 * a node sees, through {@link Main#run} (Main itself must be in the cache, or the JVM opens the
 * jar to load it), so the AOT cache holds the classes, linkage and profiles of those paths.
 * The plugin log goes to a real file, as on a node. Not used at run time.
 *
 * <p>Arguments: {@code <plugin log file> <ipamd socket> [<pod netns path>]}. Without a pod namespace
 * (a build that is not root) only the paths that need no kernel changes are trained. Run it inside
 * a scratch node namespace: ADD and DEL change that namespace.
 *
 * <p>Every class the training loads is preloaded by every plugin run, used or not: so nothing here
 * that the plugin does not do itself. The log file comes from the caller because
 * {@code Files.createTempFile} seeds a {@code SecureRandom}, which put the security providers, message
 * digests and NIO file channels (about 90 classes) into the cache.
 */
public final class AotTraining {
    private AotTraining() {}

    public static void main(String[] args) {
        String log = args[0];
        String socket = args[1];
        String podNs = args.length > 2 ? args[2] : "";
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"aot\",\"type\":\"vpc-cni\",\"mtu\":\"9001\","
                + "\"vethPrefix\":\"eni\",\"pluginLogFile\":\"" + log + "\",\"pluginLogLevel\":\"DEBUG\"}";
        System.getenv(); // what Main.main reads first
        int failures = 0;
        for (int round = 0; round < 3; round++) {
            run(sink, env("VERSION", socket, ""), "{\"cniVersion\":\"1.0.0\"}");
            run(sink, env("STATUS", socket, ""), conf.replace("1.0.0", "1.1.0"));
            run(sink, env("ADD", socket, "/nonexistent"), "{not json");
            run(sink, env("ADD", socket, "/nonexistent"), conf.replace("1.0.0", "9.9.9"));
            if (!podNs.isEmpty()) {
                var add = new java.io.ByteArrayOutputStream();
                if (Main.run(env("ADD", socket, podNs), bytes(conf), new PrintStream(add, true, StandardCharsets.UTF_8)) != 0) {
                    failures++;
                }
                String prev = conf.replace("}", ",\"prevResult\":" + add.toString(StandardCharsets.UTF_8) + "}");
                failures += run(sink, env("CHECK", socket, podNs), prev);
                failures += run(sink, env("DEL", socket, podNs), prev);
                // ipamd unreachable: DEL from prevResult
                failures += run(sink, env("DEL", socket + ".absent", podNs), prev);
            }
        }
        System.out.println("aot training done, " + failures + " unexpected failures");
    }

    private static int run(PrintStream out, Map<String, String> env, String stdin) {
        return Main.run(env, bytes(stdin), out);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, String> env(String command, String socket, String netns) {
        Map<String, String> env = new HashMap<>();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", "aot-training");
        env.put("CNI_NETNS", netns);
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_PATH", "/opt/cni/bin");
        env.put("CNI_ARGS", "K8S_POD_NAMESPACE=aot;K8S_POD_NAME=training;K8S_POD_UID=0");
        env.put(Dispatcher.SOCKET_ENV, socket);
        return env;
    }
}
