package io.vpccni.rpc.veth;

import java.util.Optional;

/** What Linux accepts as a network interface name; shared by the plugin (CNI_IFNAME) and the veth naming. */
public final class InterfaceNames {

    /** IFNAMSIZ - 1. */
    public static final int MAX_LENGTH = 15;

    private InterfaceNames() {}

    /** Why the name is not a valid interface name, or empty when it is. */
    public static Optional<String> problem(String name) {
        if (name.isEmpty()) {
            return Optional.of("must not be empty");
        }
        if (name.length() > MAX_LENGTH) {
            return Optional.of("longer than " + MAX_LENGTH + " characters");
        }
        if (name.equals(".") || name.equals("..")) {
            return Optional.of("must not be '.' or '..'");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == ':' || Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                return Optional.of("must not contain '/', ':' or whitespace");
            }
        }
        return Optional.empty();
    }
}
