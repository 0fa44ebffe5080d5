package io.vpccni.ipamd.config;

import java.util.Objects;

/**
 * One environment variable ipamd reads.
 *
 * @param defaultValue the value used when the variable is unset or empty, in the variable's own syntax;
 *                     empty when "unset" has its own meaning (described in {@code description})
 */
public record ConfigKey(String name, String defaultValue, String description) {
    public ConfigKey {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(defaultValue, "defaultValue");
        Objects.requireNonNull(description, "description");
    }
}
