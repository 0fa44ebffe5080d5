package io.vpccni.ipamd.metrics;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One metric of the Prometheus text format: its name, help, type and samples. Names are checked here, so a typo
 * fails the first render in a test instead of a scrape in production.
 */
public record MetricFamily(String name, String help, Type type, List<Sample> samples) {

    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    public enum Type {
        COUNTER, GAUGE, SUMMARY;

        String text() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A label pair; a record rather than a map entry so that label order is the order given. */
    public record Label(String name, String value) {
        public Label {
            Objects.requireNonNull(value, "value");
            if (!LABEL_NAME.matcher(name).matches() || name.startsWith("__")) {
                throw new IllegalArgumentException("invalid label name: " + name);
            }
        }
    }

    /** One line: the family name plus {@code suffix} ("" or, for a summary, "_sum" / "_count"). */
    public record Sample(String suffix, List<Label> labels, double value) {
        public Sample {
            labels = List.copyOf(labels);
        }
    }

    public MetricFamily {
        if (!METRIC_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid metric name: " + name);
        }
        Objects.requireNonNull(help, "help");
        Objects.requireNonNull(type, "type");
        samples = List.copyOf(samples);
    }

    public static MetricFamily single(String name, String help, Type type, double value) {
        return new MetricFamily(name, help, type, List.of(new Sample("", List.of(), value)));
    }

    public static Label label(String name, String value) {
        return new Label(name, value);
    }
}
