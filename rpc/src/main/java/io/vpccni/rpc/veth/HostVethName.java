package io.vpccni.rpc.veth;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The host side veth of a pod: prefix + the first 11 hex digits of sha1("namespace.podname"),
 * byte for byte aws-vpc-cni's name, so a node can switch between the two plugins and each finds
 * the other's veths.
 */
public final class HostVethName {
    /** 4 + 11 = 15 characters, the kernel's limit (IFNAMSIZ - 1). */
    public static final int MAX_PREFIX_LENGTH = InterfaceNames.MAX_LENGTH - 11;

    private HostVethName() {}

    public static String of(String prefix, String podNamespace, String podName) {
        Optional<String> problem = prefixProblem(prefix);
        if (problem.isPresent()) {
            throw new IllegalArgumentException("veth prefix '" + prefix + "' " + problem.get());
        }
        return prefix + suffix(podNamespace, podName);
    }

    /**
     * The 11 hex digits after the prefix. aws-vpc-cni also names the virtual "dummy" interface of
     * its ADD result with them ({@code "dummy" + suffix}, 16 characters: never a real device).
     */
    public static String suffix(String podNamespace, String podName) {
        byte[] digest = Sha1.digest((podNamespace + "." + podName).getBytes(StandardCharsets.UTF_8));
        var hex = new StringBuilder(11);
        for (int i = 0; hex.length() < 11; i++) {
            hex.append(Character.forDigit((digest[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0xF, 16));
        }
        return hex.toString();
    }

    /**
     * 1 to 4 characters valid in an interface name; "eth", "lo" and "vlan" are refused as
     * aws-vpc-cni refuses them, since host interfaces already use those names.
     */
    public static Optional<String> prefixProblem(String prefix) {
        if (prefix.isEmpty() || prefix.length() > MAX_PREFIX_LENGTH) {
            return Optional.of("must be 1 to " + MAX_PREFIX_LENGTH + " characters");
        }
        if (prefix.equals("eth") || prefix.equals("lo") || prefix.equals("vlan")) {
            return Optional.of("is reserved for host interfaces");
        }
        return InterfaceNames.problem(prefix);
    }
}
