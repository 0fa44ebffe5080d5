package io.vpccni.cni.spec;

import io.vpccni.rpc.json.JsonWriter;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Renders a {@link CniResult} in the format of a spec version, with libcni's field names and order:
 * 0.3.x/0.4.0 tag ips with "version"; 1.0.0 drops it; 1.1.0 adds interface mtu and route
 * mtu/priority/table/scope. Empty lists are omitted and "dns" is always present, as Go prints it.
 */
public final class ResultWriter {
    private ResultWriter() {}

    public static String toJson(CniResult result, CniVersion version) {
        var out = new StringBuilder(512);
        var w = new JsonWriter(out).startObject();
        w.field("cniVersion", version.text());
        if (!result.interfaces().isEmpty()) {
            w.name("interfaces").startArray();
            for (CniResult.Interface i : result.interfaces()) {
                writeInterface(w, i, version);
            }
            w.endArray();
        }
        if (!result.ips().isEmpty()) {
            w.name("ips").startArray();
            for (CniResult.IpConfig ip : result.ips()) {
                writeIp(w, ip, version);
            }
            w.endArray();
        }
        if (!result.routes().isEmpty()) {
            w.name("routes").startArray();
            for (CniResult.Route r : result.routes()) {
                writeRoute(w, r, version);
            }
            w.endArray();
        }
        writeDns(w, result.dns());
        w.endObject();
        return out.toString();
    }

    private static void writeInterface(JsonWriter w, CniResult.Interface i, CniVersion v) {
        w.startObject();
        w.field("name", i.name());
        optional(w, "mac", i.mac());
        if (v.hasResultExtras()) {
            optional(w, "mtu", i.mtu());
        }
        optional(w, "sandbox", i.sandbox());
        w.endObject();
    }

    private static void writeIp(JsonWriter w, CniResult.IpConfig ip, CniVersion v) {
        w.startObject();
        if (v.ipsCarryVersion()) {
            w.field("version", ip.isIpv6() ? "6" : "4");
        }
        optional(w, "interface", ip.interfaceIndex());
        w.field("address", ip.address());
        optional(w, "gateway", ip.gateway());
        w.endObject();
    }

    private static void writeRoute(JsonWriter w, CniResult.Route r, CniVersion v) {
        w.startObject();
        w.field("dst", r.dst());
        optional(w, "gw", r.gw());
        if (v.hasResultExtras()) {
            optional(w, "mtu", r.mtu());
            optional(w, "priority", r.priority());
            optional(w, "table", r.table());
            optional(w, "scope", r.scope());
        }
        w.endObject();
    }

    private static void writeDns(JsonWriter w, CniResult.Dns dns) {
        w.name("dns").startObject();
        strings(w, "nameservers", dns.nameservers());
        optional(w, "domain", dns.domain());
        strings(w, "search", dns.search());
        strings(w, "options", dns.options());
        w.endObject();
    }

    private static void strings(JsonWriter w, String name, List<String> values) {
        if (!values.isEmpty()) {
            w.name(name).startArray();
            for (String s : values) {
                w.value(s);
            }
            w.endArray();
        }
    }

    private static void optional(JsonWriter w, String name, Optional<String> value) {
        if (value.isPresent()) {
            w.field(name, value.get());
        }
    }

    private static void optional(JsonWriter w, String name, OptionalInt value) {
        if (value.isPresent()) {
            w.field(name, value.getAsInt());
        }
    }
}
