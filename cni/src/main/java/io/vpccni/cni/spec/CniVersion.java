package io.vpccni.cni.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The CNI spec versions this plugin speaks, oldest first (0.1.0/0.2.0 results are not produced). */
public enum CniVersion {
    V0_3_0("0.3.0"),
    V0_3_1("0.3.1"),
    V0_4_0("0.4.0"),
    V1_0_0("1.0.0"),
    V1_1_0("1.1.0");

    public static final CniVersion LATEST = V1_1_0;

    private final String text;

    CniVersion(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    public boolean atLeast(CniVersion other) {
        return compareTo(other) >= 0;
    }

    /** Results before 1.0.0 tag each IP with "version": "4" or "6". */
    public boolean ipsCarryVersion() {
        return !atLeast(V1_0_0);
    }

    /** 1.1.0 added interface mtu and route mtu/priority/table/scope. */
    public boolean hasResultExtras() {
        return atLeast(V1_1_0);
    }

    public static Optional<CniVersion> of(String text) {
        for (CniVersion v : values()) {
            if (v.text.equals(text)) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }

    /** MAJOR.MINOR.PATCH with decimal numbers, as in every published CNI version. */
    static boolean isWellFormed(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 3) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 4) {
                return false;
            }
            for (int i = 0; i < p.length(); i++) {
                if (p.charAt(i) < '0' || p.charAt(i) > '9') {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The version to speak: the highest one this plugin supports among {@code cniVersions} and
     * {@code cniVersion} (spec 1.1 "version negotiation"; runtimes usually resolve the list and
     * pass us a plain cniVersion, but a configuration may reach us with both).
     *
     * @throws CniError 7 when neither is given or one is not a version, 1 when none is supported
     */
    static CniVersion negotiate(Optional<String> cniVersion, List<String> cniVersions)
            throws CniError {
        if (cniVersion.isEmpty() && cniVersions.isEmpty()) {
            throw new CniError(CniError.INVALID_NETWORK_CONFIG, "missing cniVersion");
        }
        CniVersion best = null;
        for (String v : concat(cniVersion, cniVersions)) {
            if (!isWellFormed(v)) {
                throw new CniError(CniError.INVALID_NETWORK_CONFIG,
                        "cniVersion '" + v + "' is not a version (expected MAJOR.MINOR.PATCH)");
            }
            CniVersion known = of(v).orElse(null);
            if (known != null && (best == null || known.atLeast(best))) {
                best = known;
            }
        }
        if (best == null) {
            throw new CniError(CniError.INCOMPATIBLE_VERSION, "incompatible CNI version",
                    "config wants " + concat(cniVersion, cniVersions) + ", plugin supports "
                            + VersionInfo.supportedTexts());
        }
        return best;
    }

    private static List<String> concat(Optional<String> one, List<String> many) {
        if (one.isEmpty()) {
            return many;
        }
        List<String> all = new ArrayList<>(many.size() + 1);
        all.add(one.get());
        all.addAll(many);
        return all;
    }
}
