package io.vpccni.ipamd.config;

import java.util.List;

/** Startup configuration that cannot be used. Carries every problem found, not just the first. */
public final class InvalidConfigurationException extends RuntimeException {

    private final List<String> problems;

    public InvalidConfigurationException(List<String> problems) {
        super("invalid ipamd configuration (" + problems.size() + " problem" + (problems.size() == 1 ? "" : "s")
                + "):\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
