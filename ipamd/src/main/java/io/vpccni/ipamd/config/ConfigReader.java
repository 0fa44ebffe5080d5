package io.vpccni.ipamd.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads keys from an environment map and collects every problem, so one start-up reports them all.
 * Unset and empty (or blank) both mean "use the default".
 */
final class ConfigReader {

    private final Map<String, String> env;
    private final List<String> problems = new ArrayList<>();

    ConfigReader(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** The key's value, or its default; a bad value is recorded and the default returned so reading goes on. */
    <T> T get(ConfigKey key, ConfigParser<T> parser) {
        return optional(key, parser).orElseGet(() -> parser.apply(key.defaultValue()));
    }

    /** The key's value if set (or if it has a default), empty when unset with no default or when invalid. */
    <T> Optional<T> optional(ConfigKey key, ConfigParser<T> parser) {
        String raw = raw(key).orElse(key.defaultValue());
        if (raw.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(parser.apply(raw));
        } catch (RuntimeException e) {
            reject(key, raw, parser.accepted());
            return Optional.empty();
        }
    }

    /** The value as set in the environment, if non-blank. */
    Optional<String> raw(ConfigKey key) {
        String value = env.get(key.name());
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
    }

    void reject(ConfigKey key, String value, String accepted) {
        problems.add(key.name() + "='" + value + "' is invalid: expected " + accepted);
    }

    void problem(String message) {
        problems.add(message);
    }

    void throwIfAny() {
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException(problems);
        }
    }
}
