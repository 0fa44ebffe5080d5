package io.vpccni.cni.spec;

import java.util.Optional;

/** Name rules from the CNI spec and libcni's utils; each check returns the problem, if any. */
final class Names {
    /** IFNAMSIZ is 16 including the terminating NUL. */

    private Names() {}

    /** Spec: starts with a letter or digit, then letters, digits, '_', '.' or '-'. */
    static Optional<String> containerIdProblem(String id) {
        return simpleNameProblem(id);
    }

    /** libcni applies the container id rule to network names too (code 7 there). */
    static Optional<String> networkNameProblem(String name) {
        return simpleNameProblem(name);
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
