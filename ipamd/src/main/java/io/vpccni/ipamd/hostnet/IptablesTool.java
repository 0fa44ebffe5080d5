package io.vpccni.ipamd.hostnet;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which iptables the host uses, from {@code iptables --version} ({@code iptables v1.8.9 (nf_tables)}). Rules must
 * go to the backend the rest of the node (kube-proxy, the kubelet) uses, or they would sit in tables nobody
 * consults in the order expected.
 */
public record IptablesTool(Backend backend, int major, int minor, int patch) {
    private static final Pattern VERSION = Pattern.compile("iptables v(\\d+)\\.(\\d+)\\.(\\d+)(?:\\s+\\((nf_tables|legacy)\\))?");

    public enum Backend {
        NFT("iptables-nft-save", "iptables-nft-restore"),
        LEGACY("iptables-legacy-save", "iptables-legacy-restore"),
        /** Before 1.8 there was only the legacy backend and no suffixed binaries. */
        PLAIN("iptables-save", "iptables-restore");

        final String save;
        final String restore;

        Backend(String save, String restore) {
            this.save = save;
            this.restore = restore;
        }
    }

    public static IptablesTool parseVersion(String output) {
        Matcher m = VERSION.matcher(output);
        if (!m.find()) {
            throw new IllegalArgumentException("cannot read the iptables version from: " + output.strip());
        }
        Backend backend = m.group(4) == null ? Backend.PLAIN
                : m.group(4).equals("nf_tables") ? Backend.NFT : Backend.LEGACY;
        return new IptablesTool(backend, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3)));
    }

    /** SNAT --random-fully arrived in iptables 1.6.2 (the same check go-iptables' HasRandomFully makes). */
    public boolean supportsRandomFully() {
        return major > 1 || (major == 1 && (minor > 6 || (minor == 6 && patch >= 2)));
    }

    public String saveBinary() {
        return backend.save;
    }

    public String restoreBinary() {
        return backend.restore;
    }

    @Override
    public String toString() {
        return "iptables " + major + "." + minor + "." + patch + " (" + backend.name().toLowerCase() + ")";
    }
}
