package io.vpccni.cni.spec;

import io.vpccni.rpc.json.JsonWriter;
import java.util.ArrayList;
import java.util.List;

/** The VERSION verb's answer. */
public final class VersionInfo {
    private VersionInfo() {}

    /** {"cniVersion":"1.1.0","supportedVersions":["0.3.0",...,"1.1.0"]} */
    public static String toJson() {
        var out = new StringBuilder(128);
        var w = new JsonWriter(out).startObject();
        w.field("cniVersion", CniVersion.LATEST.text());
        w.name("supportedVersions").startArray();
        for (String v : supportedTexts()) {
            w.value(v);
        }
        w.endArray().endObject();
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
