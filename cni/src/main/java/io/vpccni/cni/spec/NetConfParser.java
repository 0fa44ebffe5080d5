package io.vpccni.cni.spec;

import io.vpccni.rpc.json.JsonException;
import io.vpccni.rpc.json.JsonReader.Token;
import io.vpccni.rpc.json.JsonReader;
import io.vpccni.rpc.json.JsonWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** One streaming pass over the configuration; checks follow once every field has been seen. */
final class NetConfParser {
    private static final String VALID_ATTACHMENTS = "cni.dev/valid-attachments";
    private static final String SHIM_WAIT = "shimWaitSeconds";
    /** vpc_cni_shim.c's MAX_WAIT_SECONDS. */
    private static final int MAX_SHIM_WAIT_SECONDS = 180;
    private static final String LEGACY_ATTACHMENTS = "cni.dev/attachments";

    private NetConfParser() {}

    /** What the pass has seen; checked only once the whole input is known to be JSON. */
    private static final class Seen {
        Optional<String> cniVersion = Optional.empty();
        List<String> cniVersions = List.of();
        Optional<String> name = Optional.empty();
        Optional<String> type = Optional.empty();
        OptionalInt mtu = OptionalInt.empty();
        Optional<String> vethPrefix = Optional.empty();
        Optional<String> logFile = Optional.empty();
        Optional<String> logLevel = Optional.empty();
        Optional<String> runtimeConfig = Optional.empty();
        Optional<CniResult> prevResult = Optional.empty();
        Optional<List<NetConf.Attachment>> valid = Optional.empty();
        Optional<List<NetConf.Attachment>> legacy = Optional.empty();
    }

    static NetConf parse(String json) throws CniError {
        Seen seen = new Seen();
        JsonReader p = Json.reader(json);
        try {
            if (p.next() != Token.START_OBJECT) {
                throw new CniError(CniError.DECODING_FAILURE,
                        "network configuration must be a JSON object");
            }
            CniError invalid = null;
            try {
                readFields(p, seen);
            } catch (CniError e) {
                invalid = e;
            }
            Json.finish(p);
            if (invalid != null) {
                throw invalid;
            }
        } catch (JsonException e) {
            throw Json.decodeFailure(e);
        }
        CniVersion version = CniVersion.negotiate(seen.cniVersion, seen.cniVersions);
        return new NetConf(version, checkName(seen.name), required(seen.type, "type"), seen.mtu,
                checkPrefix(seen.vethPrefix.orElse(NetConf.DEFAULT_VETH_PREFIX)), seen.logFile,
                seen.logLevel, seen.runtimeConfig, seen.prevResult,
                seen.valid.isPresent() ? seen.valid : seen.legacy);
    }

    private static void readFields(JsonReader p, Seen s) throws CniError, JsonException {
        while (p.next() != Token.END_OBJECT) {
            String field = p.name();
            p.next();
            switch (field) {
                case "cniVersion" -> s.cniVersion = Json.string(p, field);
                case "cniVersions" -> s.cniVersions = Json.strings(p, field);
                case "name" -> s.name = Json.string(p, field);
                case "type" -> s.type = Json.string(p, field);
                case "mtu" -> s.mtu = mtu(p);
                case "vethPrefix" -> s.vethPrefix = Json.string(p, field);
                case "pluginLogFile" -> s.logFile = Json.nonEmptyString(p, field);
                case "pluginLogLevel" -> s.logLevel = Json.nonEmptyString(p, field);
                case "runtimeConfig" -> s.runtimeConfig = raw(p, field);
                case "prevResult" -> s.prevResult = Json.isNull(p) ? Optional.empty()
                        : Optional.of(ResultReader.read(p, field));
                case SHIM_WAIT -> shimWait(p);
                case VALID_ATTACHMENTS -> s.valid = attachments(p, field);
                case LEGACY_ATTACHMENTS -> s.legacy = attachments(p, field);
                default -> p.skipChildren();
            }
        }
    }

    /**
     * How long the shim holds an ADD while ipamd restarts; the shim reads it (vpc_cni_shim.c), and only then, so
     * it is checked here too: a bad value shows on every ADD rather than only during a restart. The shim's rules:
     * seconds in 0..{@value #MAX_SHIM_WAIT_SECONDS}, as a number or a string of digits.
     */
    private static void shimWait(JsonReader p) throws CniError, JsonException {
        String text;
        if (p.token() == Token.STRING) {
            text = p.string();
        } else if (p.token() == Token.NUMBER_INT && p.isInt()) {
            text = Integer.toString(p.intValue());
        } else {
            throw Json.wrongType(p, SHIM_WAIT, "a number of seconds in 0.." + MAX_SHIM_WAIT_SECONDS);
        }
        if (!text.matches("[0-9]{1,10}") || Long.parseLong(text) > MAX_SHIM_WAIT_SECONDS) {
            throw Json.invalid(SHIM_WAIT + " '" + text + "' is not a number of seconds in 0.." + MAX_SHIM_WAIT_SECONDS);
        }
    }

    /** aws-vpc-cni's conflist writes "mtu" as a string ("9001"), so a numeric string is accepted. */
    private static OptionalInt mtu(JsonReader p) throws CniError, JsonException {
        OptionalInt mtu;
        if (p.token() == Token.STRING) {
            String s = p.string();
            try {
                mtu = OptionalInt.of(Integer.parseInt(s.strip()));
            } catch (NumberFormatException e) {
                throw Json.invalid("mtu '" + s + "' is not a number");
            }
        } else {
            mtu = Json.integer(p, "mtu");
        }
        if (mtu.isPresent() && (mtu.getAsInt() < NetConf.MIN_MTU || mtu.getAsInt() > NetConf.MAX_MTU)) {
            throw Json.invalid("mtu " + mtu.getAsInt() + " is outside " + NetConf.MIN_MTU + ".."
                    + NetConf.MAX_MTU);
        }
        return mtu;
    }

    /** Copies the object verbatim; the plugin interprets runtimeConfig keys it cares about. */
    private static Optional<String> raw(JsonReader p, String path) throws CniError, JsonException {
        if (Json.isNull(p)) {
            return Optional.empty();
        }
        Json.requireObject(p, path);
        var out = new StringBuilder();
        new JsonWriter(out).copy(p);
        return Optional.of(out.toString());
    }

    private static Optional<List<NetConf.Attachment>> attachments(JsonReader p, String path)
            throws CniError, JsonException {
        if (Json.isNull(p)) {
            return Optional.empty();
        }
        Json.requireArray(p, path);
        List<NetConf.Attachment> out = new ArrayList<>();
        for (int i = 0; p.next() != Token.END_ARRAY; i++) {
            String at = path + "[" + i + "]";
            Json.requireObject(p, at);
            Optional<String> containerId = Optional.empty();
            Optional<String> ifName = Optional.empty();
            while (p.next() != Token.END_OBJECT) {
                String field = p.name();
                p.next();
                switch (field) {
                    case "containerID" -> containerId = Json.string(p, at + ".containerID");
                    case "ifname" -> ifName = Json.string(p, at + ".ifname");
                    default -> p.skipChildren();
                }
            }
            out.add(new NetConf.Attachment(required(containerId, at + ".containerID"),
                    required(ifName, at + ".ifname")));
        }
        return Optional.of(out);
    }

    private static String checkName(Optional<String> name) throws CniError {
        String n = required(name, "name");
        Optional<String> problem = Names.networkNameProblem(n);
        if (problem.isPresent()) {
            throw Json.invalid("network name '" + n + "' is invalid: " + problem.get());
        }
        return n;
    }

    private static String checkPrefix(String prefix) throws CniError {
        Optional<String> problem = io.vpccni.rpc.veth.HostVethName.prefixProblem(prefix);
        if (problem.isPresent()) {
            throw Json.invalid("vethPrefix '" + prefix + "' is invalid: " + problem.get());
        }
        return prefix;
    }

    private static String required(Optional<String> value, String field) throws CniError {
        if (value.isEmpty() || value.get().isEmpty()) {
            throw Json.invalid("missing " + field);
        }
        return value.get();
    }
}
