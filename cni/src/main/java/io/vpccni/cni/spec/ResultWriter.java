package io.vpccni.cni.spec;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
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
        var out = new StringWriter(512);
        try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("cniVersion", version.text());
            if (!result.interfaces().isEmpty()) {
                g.writeArrayFieldStart("interfaces");
                for (CniResult.Interface i : result.interfaces()) {
                    writeInterface(g, i, version);
                }
                g.writeEndArray();
            }
            if (!result.ips().isEmpty()) {
                g.writeArrayFieldStart("ips");
                for (CniResult.IpConfig ip : result.ips()) {
                    writeIp(g, ip, version);
                }
                g.writeEndArray();
            }
            if (!result.routes().isEmpty()) {
                g.writeArrayFieldStart("routes");
                for (CniResult.Route r : result.routes()) {
                    writeRoute(g, r, version);
                }
                g.writeEndArray();
            }
            writeDns(g, result.dns());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void writeInterface(JsonGenerator g, CniResult.Interface i, CniVersion v)
            throws IOException {
        g.writeStartObject();
        g.writeStringField("name", i.name());
        optional(g, "mac", i.mac());
        if (v.hasResultExtras()) {
            optional(g, "mtu", i.mtu());
        }
        optional(g, "sandbox", i.sandbox());
        g.writeEndObject();
    }

    private static void writeIp(JsonGenerator g, CniResult.IpConfig ip, CniVersion v)
            throws IOException {
        g.writeStartObject();
        if (v.ipsCarryVersion()) {
            g.writeStringField("version", ip.isIpv6() ? "6" : "4");
        }
        optional(g, "interface", ip.interfaceIndex());
        g.writeStringField("address", ip.address());
        optional(g, "gateway", ip.gateway());
        g.writeEndObject();
    }

    private static void writeRoute(JsonGenerator g, CniResult.Route r, CniVersion v)
            throws IOException {
        g.writeStartObject();
        g.writeStringField("dst", r.dst());
        optional(g, "gw", r.gw());
        if (v.hasResultExtras()) {
            optional(g, "mtu", r.mtu());
            optional(g, "priority", r.priority());
            optional(g, "table", r.table());
            optional(g, "scope", r.scope());
        }
        g.writeEndObject();
    }

    private static void writeDns(JsonGenerator g, CniResult.Dns dns) throws IOException {
        g.writeObjectFieldStart("dns");
        strings(g, "nameservers", dns.nameservers());
        optional(g, "domain", dns.domain());
        strings(g, "search", dns.search());
        strings(g, "options", dns.options());
        g.writeEndObject();
    }

    private static void strings(JsonGenerator g, String name, List<String> values)
            throws IOException {
        if (!values.isEmpty()) {
            g.writeArrayFieldStart(name);
            for (String s : values) {
                g.writeString(s);
            }
            g.writeEndArray();
        }
    }

    private static void optional(JsonGenerator g, String name, Optional<String> value)
            throws IOException {
        if (value.isPresent()) {
            g.writeStringField(name, value.get());
        }
    }

    private static void optional(JsonGenerator g, String name, OptionalInt value)
            throws IOException {
        if (value.isPresent()) {
            g.writeNumberField(name, value.getAsInt());
        }
    }
}
