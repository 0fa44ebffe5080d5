package io.vpccni.cni.spec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The invocation's parameters, taken from an injected environment map (never System.getenv here,
 * so tests pass plain maps). A parameter the command does not need and was not given is "".
 */
public record CmdArgs(
        CniCommand command,
        String containerId,
        String netns,
        String ifName,
        Map<String, String> args,
        List<String> path) {
    public static final String K8S_POD_NAMESPACE = "K8S_POD_NAMESPACE";
    public static final String K8S_POD_NAME = "K8S_POD_NAME";
    public static final String K8S_POD_INFRA_CONTAINER_ID = "K8S_POD_INFRA_CONTAINER_ID";
    public static final String K8S_POD_UID = "K8S_POD_UID";

    public CmdArgs {
        args = Collections.unmodifiableMap(new LinkedHashMap<>(args));
        path = List.copyOf(path);
    }

    /** A variable and the commands that require it, as libcni's skel table (plus 1.1's verbs). */
    private record Var(String name, Set<CniCommand> requiredFor) {}

    // Set.of, not EnumSet: EnumSet finds the enum's constants by reflection, which costs a
    // plugin process a few milliseconds on first use.
    private static final Set<CniCommand> ATTACHMENT = Set.of(CniCommand.ADD, CniCommand.DEL, CniCommand.CHECK);

    private static final List<Var> VARS = List.of(
            new Var("CNI_CONTAINERID", ATTACHMENT),
            // DEL may come after the namespace is gone, so it may omit the netns.
            new Var("CNI_NETNS", Set.of(CniCommand.ADD, CniCommand.CHECK)),
            new Var("CNI_IFNAME", ATTACHMENT),
            new Var("CNI_ARGS", Set.of()),
            new Var("CNI_PATH", Set.of(CniCommand.ADD, CniCommand.DEL, CniCommand.CHECK,
                    CniCommand.STATUS, CniCommand.GC)));

    /** Required variables per command; exposed for documentation and tests. */
    public static Set<String> requiredFor(CniCommand command) {
        Set<String> out = new java.util.LinkedHashSet<>();
        out.add("CNI_COMMAND");
        for (Var v : VARS) {
            if (v.requiredFor().contains(command)) {
                out.add(v.name());
            }
        }
        return out;
    }

    /**
     * @throws CniError code 4 naming every missing variable, or the one that is invalid
     */
    public static CmdArgs fromEnv(Map<String, String> env) throws CniError {
        String commandText = get(env, "CNI_COMMAND");
        if (commandText.isEmpty()) {
            throw envError("required environment variables missing: CNI_COMMAND");
        }
        Optional<CniCommand> parsed = CniCommand.of(commandText);
        if (parsed.isEmpty()) {
            throw envError("CNI_COMMAND '" + commandText
                    + "' is not one of ADD, DEL, CHECK, VERSION, STATUS, GC");
        }
        CniCommand command = parsed.get();
        List<String> missing = new ArrayList<>();
        for (Var v : VARS) {
            if (v.requiredFor().contains(command) && get(env, v.name()).isEmpty()) {
                missing.add(v.name());
            }
        }
        if (!missing.isEmpty()) {
            throw envError("required environment variables missing for " + command + ": "
                    + String.join(", ", missing));
        }
        String containerId = get(env, "CNI_CONTAINERID");
        String ifName = get(env, "CNI_IFNAME");
        if (ATTACHMENT.contains(command)) {
            Optional<String> problem = Names.containerIdProblem(containerId);
            if (problem.isPresent()) {
                throw envError("CNI_CONTAINERID '" + containerId + "' is invalid: " + problem.get());
            }
            problem = io.vpccni.rpc.veth.InterfaceNames.problem(ifName);
            if (problem.isPresent()) {
                throw envError("CNI_IFNAME '" + ifName + "' is invalid: " + problem.get());
            }
        }
        return new CmdArgs(command, containerId, get(env, "CNI_NETNS"), ifName,
                parseArgs(get(env, "CNI_ARGS")), splitPath(get(env, "CNI_PATH")));
    }

    /** A value of CNI_ARGS, e.g. {@code arg(K8S_POD_NAME)}. */
    public Optional<String> arg(String key) {
        return Optional.ofNullable(args.get(key));
    }

    /**
     * CNI_ARGS is {@code K=V;K=V}. Empty segments (a trailing ';') are tolerated; a segment without
     * '=' or with an empty key is an error. A value may itself contain '='.
     */
    static Map<String, String> parseArgs(String text) throws CniError {
        Map<String, String> out = new LinkedHashMap<>();
        if (text.isEmpty()) {
            return out;
        }
        for (String pair : text.split(";", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw envError("CNI_ARGS has an invalid pair '" + pair + "' (expected KEY=VALUE)");
            }
            out.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return out;
    }

    private static List<String> splitPath(String text) {
        List<String> out = new ArrayList<>();
        for (String dir : text.split(":", -1)) {
            if (!dir.isEmpty()) {
                out.add(dir);
            }
        }
        return out;
    }

    private static String get(Map<String, String> env, String name) {
        String v = env.get(name);
        return v == null ? "" : v;
    }

    private static CniError envError(String message) {
        return new CniError(CniError.INVALID_ENVIRONMENT, message);
    }
}
