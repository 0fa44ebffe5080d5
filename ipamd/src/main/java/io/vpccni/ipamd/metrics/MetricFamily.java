package io.vpccni.ipamd.metrics;

import java.util.ArrayList;
import java.util.Arrays;
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
        COUNTER, GAUGE, SUMMARY, HISTOGRAM;

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

    /** One line: the family name plus {@code suffix} ("", for a summary "_sum" / "_count", for a histogram also "_bucket"). */
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

    /**
     * One series of a histogram: observations at or below each bound (cumulative), their sum and their count (the
     * +Inf bucket). Its labels must not include {@code le}, which the buckets add.
     */
    public record HistogramSeries(List<Label> labels, double[] upperBounds, long[] cumulativeCounts, double sum,
                                  long count) {
        public HistogramSeries {
            labels = List.copyOf(labels);
            upperBounds = upperBounds.clone();
            cumulativeCounts = cumulativeCounts.clone();
            if (labels.stream().anyMatch(l -> l.name().equals("le"))) {
                throw new IllegalArgumentException("a histogram series may not have a label named le");
            }
            if (upperBounds.length != cumulativeCounts.length) {
                throw new IllegalArgumentException("one cumulative count per bucket bound");
            }
            long previous = 0;
            for (int i = 0; i < upperBounds.length; i++) {
                if (Double.isNaN(upperBounds[i]) || Double.isInfinite(upperBounds[i])
                        || i > 0 && upperBounds[i] <= upperBounds[i - 1]) {
                    throw new IllegalArgumentException("bucket bounds must be finite and increasing (+Inf is added)");
                }
                if (cumulativeCounts[i] < previous) {
                    throw new IllegalArgumentException("bucket counts must be cumulative: " + cumulativeCounts[i]
                            + " after " + previous);
                }
                previous = cumulativeCounts[i];
            }
            if (count < previous) {
                throw new IllegalArgumentException("count " + count + " below the last bucket's " + previous);
            }
        }
    }

    /**
     * A histogram: for each series its {@code _bucket} lines (cumulative, ending with {@code le="+Inf"}, which is the
     * count), {@code _sum} and {@code _count}. Every series has the same bounds: Prometheus sums buckets across series
     * by {@code le}, so a family whose series disagree could not be aggregated.
     */
    public static MetricFamily histogram(String name, String help, List<HistogramSeries> series) {
        List<Sample> samples = new ArrayList<>();
        for (HistogramSeries one : series) {
            if (!Arrays.equals(one.upperBounds, series.getFirst().upperBounds)) {
                throw new IllegalArgumentException(name + ": every series of a histogram needs the same buckets");
            }
            for (int i = 0; i < one.upperBounds.length; i++) {
                samples.add(new Sample("_bucket", withLe(one.labels, one.upperBounds[i]), one.cumulativeCounts[i]));
            }
            samples.add(new Sample("_bucket", withLe(one.labels, Double.POSITIVE_INFINITY), one.count));
            samples.add(new Sample("_sum", one.labels, one.sum));
            samples.add(new Sample("_count", one.labels, one.count));
        }
        return new MetricFamily(name, help, Type.HISTOGRAM, samples);
    }

    private static List<Label> withLe(List<Label> labels, double bound) {
        List<Label> out = new ArrayList<>(labels);
        out.add(new Label("le", Exposition.formatValue(bound)));
        return out;
    }

    public static Label label(String name, String value) {
        return new Label(name, value);
    }
}
