package io.vpccni.cni.spec;

import io.vpccni.rpc.json.JsonException;
import io.vpccni.rpc.json.JsonReader;
import io.vpccni.rpc.json.JsonReader.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Reads a result of any supported version (0.3.0 to 1.1.0) into a {@link CniResult}: the formats
 * differ only by fields one side lacks, so one reader takes all. Unknown fields are skipped.
 */
public final class ResultReader {
    private ResultReader() {}

    /** @throws CniError 6 for malformed JSON, 7 for a well-formed but invalid result */
    public static CniResult parse(String json) throws CniError {
        JsonReader p = Json.reader(json);
        try {
            if (p.next() != Token.START_OBJECT) {
                throw new CniError(CniError.DECODING_FAILURE, "result must be a JSON object");
            }
            CniResult r = null;
            CniError invalid = null;
            try {
                r = read(p, "result");
            } catch (CniError e) {
                invalid = e;
            }
            Json.finish(p);
            if (invalid != null) {
                throw invalid;
            }
            return r;
        } catch (JsonException e) {
            throw Json.decodeFailure(e);
        }
    }

    /** Reads the object the reader is on; {@code path} prefixes error messages. */
    static CniResult read(JsonReader p, String path) throws CniError, JsonException {
        Json.requireObject(p, path);
        List<CniResult.Interface> interfaces = new ArrayList<>();
        List<CniResult.IpConfig> ips = new ArrayList<>();
        List<CniResult.Route> routes = new ArrayList<>();
        CniResult.Dns dns = CniResult.Dns.EMPTY;
        while (p.next() != Token.END_OBJECT) {
            String field = p.name();
            p.next();
            String at = path + "." + field;
            switch (field) {
                case "cniVersion" -> Json.string(p, at);
                case "interfaces" -> {
                    for (int i = 0; eachObject(p, at, i); i++) {
                        interfaces.add(readInterface(p, at + "[" + i + "]"));
                    }
                }
                case "ips" -> {
                    for (int i = 0; eachObject(p, at, i); i++) {
                        ips.add(readIp(p, at + "[" + i + "]"));
                    }
                }
                case "routes" -> {
                    for (int i = 0; eachObject(p, at, i); i++) {
                        routes.add(readRoute(p, at + "[" + i + "]"));
                    }
                }
                case "dns" -> dns = Json.isNull(p) ? CniResult.Dns.EMPTY : readDns(p, at);
                default -> p.skipChildren();
            }
        }
        try {
            return new CniResult(interfaces, ips, routes, dns);
        } catch (IllegalArgumentException e) {
            throw Json.invalid(path + ": " + e.getMessage());
        }
    }

    /**
     * Array iteration: on the first call the reader is on the array (or null); returns true when
     * it has moved onto the next element object.
     */
    private static boolean eachObject(JsonReader p, String path, int index)
            throws CniError, JsonException {
        if (index == 0) {
            if (Json.isNull(p)) {
                return false;
            }
            Json.requireArray(p, path);
        }
        if (p.next() == Token.END_ARRAY) {
            return false;
        }
        Json.requireObject(p, path + "[" + index + "]");
        return true;
    }

    private static CniResult.Interface readInterface(JsonReader p, String path)
            throws CniError, JsonException {
        Optional<String> name = Optional.empty();
        Optional<String> mac = Optional.empty();
        Optional<String> sandbox = Optional.empty();
        OptionalInt mtu = OptionalInt.empty();
        while (p.next() != Token.END_OBJECT) {
            String field = p.name();
            p.next();
            switch (field) {
                case "name" -> name = Json.string(p, path + ".name");
                case "mac" -> mac = Json.nonEmptyString(p, path + ".mac");
                case "sandbox" -> sandbox = Json.nonEmptyString(p, path + ".sandbox");
                case "mtu" -> mtu = Json.integer(p, path + ".mtu");
                default -> p.skipChildren();
            }
        }
        try {
            return new CniResult.Interface(required(name, "name"), mac, sandbox, mtu);
        } catch (IllegalArgumentException e) {
            throw Json.invalid(path + ": " + e.getMessage());
        }
    }

    private static CniResult.IpConfig readIp(JsonReader p, String path)
            throws CniError, JsonException {
        Optional<String> address = Optional.empty();
        Optional<String> gateway = Optional.empty();
        OptionalInt index = OptionalInt.empty();
        while (p.next() != Token.END_OBJECT) {
            String field = p.name();
            p.next();
            switch (field) {
                case "version" -> {
                    Optional<String> v = Json.string(p, path + ".version");
                    if (v.isPresent() && !v.get().equals("4") && !v.get().equals("6")) {
                        throw Json.invalid(path + ".version must be \"4\" or \"6\", got '"
                                + v.get() + "'");
                    }
                }
                case "address" -> address = Json.string(p, path + ".address");
                case "gateway" -> gateway = Json.nonEmptyString(p, path + ".gateway");
                case "interface" -> index = Json.integer(p, path + ".interface");
                default -> p.skipChildren();
            }
        }
        try {
            return new CniResult.IpConfig(required(address, "address"), gateway, index);
        } catch (IllegalArgumentException e) {
            throw Json.invalid(path + ": " + e.getMessage());
        }
    }

    private static CniResult.Route readRoute(JsonReader p, String path)
            throws CniError, JsonException {
        Optional<String> dst = Optional.empty();
        Optional<String> gw = Optional.empty();
        OptionalInt mtu = OptionalInt.empty();
        OptionalInt table = OptionalInt.empty();
        OptionalInt scope = OptionalInt.empty();
        OptionalInt priority = OptionalInt.empty();
        while (p.next() != Token.END_OBJECT) {
            String field = p.name();
            p.next();
            switch (field) {
                case "dst" -> dst = Json.string(p, path + ".dst");
                case "gw" -> gw = Json.nonEmptyString(p, path + ".gw");
                case "mtu" -> mtu = Json.integer(p, path + ".mtu");
                case "table" -> table = Json.integer(p, path + ".table");
                case "scope" -> scope = Json.integer(p, path + ".scope");
                case "priority" -> priority = Json.integer(p, path + ".priority");
                default -> p.skipChildren();
            }
        }
        try {
            return new CniResult.Route(required(dst, "dst"), gw, mtu, table, scope, priority);
        } catch (IllegalArgumentException e) {
            throw Json.invalid(path + ": " + e.getMessage());
        }
    }

    private static CniResult.Dns readDns(JsonReader p, String path) throws CniError, JsonException {
        Json.requireObject(p, path);
        List<String> nameservers = List.of();
        Optional<String> domain = Optional.empty();
        List<String> search = List.of();
        List<String> options = List.of();
        while (p.next() != Token.END_OBJECT) {
            String field = p.name();
            p.next();
            switch (field) {
                case "nameservers" -> nameservers = Json.strings(p, path + ".nameservers");
                case "domain" -> domain = Json.nonEmptyString(p, path + ".domain");
                case "search" -> search = Json.strings(p, path + ".search");
                case "options" -> options = Json.strings(p, path + ".options");
                default -> p.skipChildren();
            }
        }
        return new CniResult.Dns(nameservers, domain, search, options);
    }

    private static String required(Optional<String> value, String field) {
        if (value.isEmpty()) {
            throw new IllegalArgumentException(field + " is missing");
        }
        return value.get();
    }
}
