package io.vpccni.ipamd.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vpccni.netlink.ip.Ipv4Cidr;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A typed parser for one variable's text, with a human description of what it accepts; the description ends up
 * in the error message, so a rejected value always says what would have been fine.
 */
public record ConfigParser<T>(String accepted, Function<String, T> parse) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TRUE = Set.of("1", "t", "T", "TRUE", "true", "True");
    private static final Set<String> FALSE = Set.of("0", "f", "F", "FALSE", "false", "False");
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)?");

    /** Parses {@code raw}; throws IllegalArgumentException when it is not acceptable. */
    public T apply(String raw) {
        return parse.apply(raw);
    }

    /** Adds a condition; {@code newAccepted} replaces the description, since it is now narrower. */
    public ConfigParser<T> check(Predicate<T> condition, String newAccepted) {
        return new ConfigParser<>(newAccepted, raw -> {
            T value = parse.apply(raw);
            if (!condition.test(value)) {
                throw new IllegalArgumentException("out of range");
            }
            return value;
        });
    }

    public <R> ConfigParser<R> map(Function<T, R> mapper) {
        return new ConfigParser<>(accepted, parse.andThen(mapper));
    }

    // --- the parsers ---

    public static ConfigParser<Integer> integer() {
        return new ConfigParser<>("an integer", raw -> Integer.parseInt(raw.trim()));
    }

    public static ConfigParser<Integer> nonNegative() {
        return integer().check(v -> v >= 0, "an integer >= 0");
    }

    public static ConfigParser<Integer> inRange(int min, int max) {
        return integer().check(v -> v >= min && v <= max, "an integer from " + min + " to " + max);
    }

    /** Go's strconv.ParseBool set, which is what aws-vpc-cni accepts. */
    public static ConfigParser<Boolean> bool() {
        return new ConfigParser<>("true or false (also 1/0, t/f, TRUE/FALSE, True/False)", raw -> {
            if (TRUE.contains(raw.trim())) {
                return true;
            }
            if (FALSE.contains(raw.trim())) {
                return false;
            }
            throw new IllegalArgumentException("not a boolean");
        });
    }

    public static ConfigParser<String> string() {
        return new ConfigParser<>("any text", String::trim);
    }

    /** One of the enum's constants, case-insensitively; the message lists them. */
    public static <E extends Enum<E>> ConfigParser<E> oneOf(Class<E> type) {
        List<String> names = Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT)).toList();
        return new ConfigParser<>("one of " + String.join(", ", names) + " (any case)",
                raw -> Enum.valueOf(type, raw.trim().toUpperCase(Locale.ROOT)));
    }

    /** Comma-separated IPv4 CIDRs; blanks between commas are ignored, a malformed entry is not. */
    public static ConfigParser<List<Ipv4Cidr>> cidrList() {
        return new ConfigParser<>("comma-separated IPv4 CIDRs such as 10.0.0.0/8,192.168.0.0/16", raw -> {
            List<Ipv4Cidr> cidrs = new ArrayList<>();
            for (String item : raw.split(",")) {
                if (!item.isBlank()) {
                    cidrs.add(Ipv4Cidr.parse(item.trim()));
                }
            }
            return List.copyOf(cidrs);
        });
    }

    /** A JSON object whose values are all strings, e.g. {"team":"a"}; key order is kept. */
    public static ConfigParser<Map<String, String>> jsonStringMap() {
        return new ConfigParser<>("a JSON object of string values, e.g. {\"team\":\"a\"}", raw -> {
            JsonNode node;
            try {
                node = JSON.readTree(raw);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("not JSON", e);
            }
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("not a JSON object");
            }
            Map<String, String> map = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                if (!field.getValue().isTextual()) {
                    throw new IllegalArgumentException("value of " + field.getKey() + " is not a string");
                }
                map.put(field.getKey(), field.getValue().asText());
            }
            return Map.copyOf(map);
        });
    }

    /** Whole seconds, as upstream's IP_COOLDOWN_PERIOD. */
    public static ConfigParser<Duration> seconds() {
        return nonNegative().map(Duration::ofSeconds).withAccepted("a whole number of seconds >= 0");
    }

    /** A duration: a number with unit ms, s, m or h (e.g. 500ms, 5s); a bare number means seconds. */
    public static ConfigParser<Duration> duration() {
        return new ConfigParser<>("a duration such as 500ms, 5s or 1m (a bare number means seconds)", raw -> {
            Matcher m = DURATION.matcher(raw.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException("not a duration");
            }
            long amount = Long.parseLong(m.group(1));
            return switch (m.group(2) == null ? "s" : m.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofSeconds(amount);
            };
        });
    }

    /** An integer in C syntax like Go's ParseInt(s, 0, 64): 128, 0x80 or 0200. */
    public static ConfigParser<Long> cInteger() {
        return new ConfigParser<>("an integer (decimal, 0x hex or 0 octal)", raw -> Long.decode(raw.trim()));
    }

    ConfigParser<T> withAccepted(String newAccepted) {
        return new ConfigParser<>(newAccepted, parse);
    }
}
