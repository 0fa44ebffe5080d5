package io.vpccni.netlink.api;

/** Interface-name rules the kernel enforces (dev_valid_name), checked early for a clear message. */
final class LinkNames {
    /** IFNAMSIZ is 16 including the terminating NUL. */
    static final int MAX_LENGTH = 15;

    private LinkNames() {}

    static String check(String name) {
        if (name == null || name.isEmpty() || name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_LENGTH
                || name.equals(".") || name.equals("..")
                || hasForbiddenChar(name)) {
            throw new IllegalArgumentException("invalid interface name '" + name + "' (1-15 characters, no '/', ':' or spaces)");
        }
        return name;
    }

    /** A plain loop, not {@code chars().anyMatch}: a stream here would be the plugin's first (see KernelNetlink.query). */
    private static boolean hasForbiddenChar(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == ':' || c == 0 || Character.isWhitespace(c)) {
                return true;
            }
        }
        return false;
    }
}
