package io.vpccni.cni.plugin;

import io.vpccni.cni.dataplane.HostNamespace;
import io.vpccni.cni.log.PluginLog;
import io.vpccni.cni.spec.CmdArgs;
import io.vpccni.cni.spec.CniCommand;
import io.vpccni.cni.spec.CniError;
import io.vpccni.cni.spec.CniVersion;
import io.vpccni.cni.spec.NetConf;
import io.vpccni.cni.spec.VersionInfo;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Turns one invocation (environment, stdin) into stdout text and an exit status; it receives the
 * process's I/O instead of reaching for it, so tests run it in-process with plain maps.
 * Every failure leaves as the spec's error object: a {@link CniError} as it is, anything
 * unexpected as code 999 with its message.
 */
public final class Dispatcher {
    /** Overrides the ipamd socket (tests, or a node with a non-default layout). */
    public static final String SOCKET_ENV = "VPC_CNI_SOCKET";

    private final HostNamespace host;

    public Dispatcher(HostNamespace host) {
        this.host = host;
    }

    /** @return the exit status: 0 on success, 1 after printing an error object */
    public int run(Map<String, String> env, byte[] stdin, PrintStream stdout) {
        return run(env, stdin, OptionalInt.empty(), stdout);
    }

    /**
     * As {@link #run(Map, byte[], PrintStream)}, with the pod's network namespace already open: the descriptor the
     * plugin shim opened CNI_NETNS as, in the runtime's mount namespace, and passed to the daemon. It stays the
     * caller's to close.
     */
    public int run(Map<String, String> env, byte[] stdin, OptionalInt netnsDescriptor, PrintStream stdout) {
        CniVersion version = CniVersion.LATEST;
        PluginLog log = PluginLog.toStderr();
        try {
            CmdArgs args = CmdArgs.fromEnv(env);
            if (args.command() == CniCommand.VERSION) {
                emit(stdout, VersionInfo.toJson());
                return 0;
            }
            NetConf conf = NetConf.parse(stdin);
            version = conf.cniVersion();
            args.command().requireAllowedBy(version);
            log = openLog(conf);
            Invocation inv = new Invocation(args, conf, log, host, Ipamd.at(socketPath(env)), netnsDescriptor);
            if (log.enabled(PluginLog.Level.DEBUG)) { // not even the concatenation otherwise
                log.debug(args.command() + " container " + args.containerId() + " netns " + args.netns()
                        + " ifname " + args.ifName() + " args " + args.args());
            }
            String out = switch (args.command()) {
                case ADD -> AddCommand.run(inv);
                case DEL -> DelCommand.run(inv);
                case CHECK -> CheckCommand.run(inv);
                case STATUS -> StatusCommand.run(inv);
                case GC -> GcCommand.run(inv);
                case VERSION -> VersionInfo.toJson();
            };
            emit(stdout, out);
            return 0;
        } catch (CniError e) {
            log.error("container " + env.getOrDefault("CNI_CONTAINERID", "-") + ": error " + e.code() + ": "
                    + e.getMessage());
            emit(stdout, e.toJson(version));
            return 1;
        } catch (RuntimeException e) {
            // A bug or an unexpected kernel answer: still the spec's error object, code 999.
            log.error("container " + env.getOrDefault("CNI_CONTAINERID", "-") + ": " + e);
            emit(stdout, new CniError(CniError.INTERNAL, String.valueOf(e)).toJson(version));
            return 1;
        } finally {
            log.close();
        }
    }

    /**
     * The result or error object as UTF-8 bytes: {@code print(String)} would set up the stream's
     * charset encoder on its first use, about a millisecond of a plugin run.
     */
    private static void emit(PrintStream stdout, String json) {
        stdout.writeBytes(json.getBytes(StandardCharsets.UTF_8));
    }

    private static PluginLog openLog(NetConf conf) {
        if (conf.pluginLogFile().isEmpty()) {
            return PluginLog.toStderr();
        }
        return PluginLog.toFile(Path.of(conf.pluginLogFile().get()),
                conf.pluginLogLevel().map(PluginLog::parseLevel).orElse(PluginLog.Level.INFO));
    }

    private static Path socketPath(Map<String, String> env) {
        String override = env.get(SOCKET_ENV);
        return override == null || override.isBlank() ? io.vpccni.rpc.codec.Protocol.DEFAULT_SOCKET_PATH
                : Path.of(override);
    }
}
