package io.vpccni.cni.spec;

import java.util.Optional;

/** Name rules from the CNI spec and libcni's utils; each check returns the problem, if any. */
final class Names {
    /** IFNAMSIZ is 16 including the terminating NUL. */
    static final int MAX_IFNAME = 15;

    private Names() {}

    /** Spec: starts with a letter or digit, then letters, digits, '_', '.' or '-'. */
    static Optional<String> containerIdProblem(String id) {
        return simpleNameProblem(id);
    }

    /** libcni applies the container id rule to network names too (code 7 there). */
    static Optional<String> networkNameProblem(String name) {
        return simpleNameProblem(name);
    }

    static Optional<String> ifNameProblem(String name) {
        if (name.isEmpty()) {
            return Optional.of("must not be empty");
        }
        if (name.length() > MAX_IFNAME) {
            return Optional.of("longer than " + MAX_IFNAME + " characters");
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

    private static Optional<String> simpleNameProblem(String s) {
        if (s.isEmpty()) {
            return Optional.of("must not be empty");
        }
        if (!isAlnum(s.charAt(0))) {
            return Optional.of("must start with a letter or digit");
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!isAlnum(c) && c != '_' && c != '.' && c != '-') {
                return Optional.of("may contain only letters, digits, '_', '.' and '-'");
            }
        }
        return Optional.empty();
    }

    private static boolean isAlnum(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
    }
}
