package io.vpccni.cni.spec;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** The VERSION verb's answer. */
public final class VersionInfo {
    private VersionInfo() {}

    /** {"cniVersion":"1.1.0","supportedVersions":["0.3.0",...,"1.1.0"]} */
    public static String toJson() {
        var out = new StringWriter(128);
        try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("cniVersion", CniVersion.LATEST.text());
            g.writeArrayFieldStart("supportedVersions");
            for (String v : supportedTexts()) {
                g.writeString(v);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    static List<String> supportedTexts() {
        List<String> out = new ArrayList<>();
        for (CniVersion v : CniVersion.values()) {
            out.add(v.text());
        }
        return out;
    }
}
