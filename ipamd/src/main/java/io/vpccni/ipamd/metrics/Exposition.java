package io.vpccni.ipamd.metrics;

import java.util.List;

/**
 * Writes the Prometheus text exposition format, version 0.0.4: for each family a {@code # HELP} and a
 * {@code # TYPE} line, then its samples, one per line, ending in a newline. Written by hand: the format is small, and
 * the Prometheus Java client (1.10) writes every counter as {@code <name>_total}, while aws-vpc-cni's counters
 * ({@code awscni_add_ip_req_count}...) have no suffix (BENCHMARKS.md, "ipamd metrics through the Prometheus Java
 * client", which also has what the client costs in memory). Histograms need no client either: a
 * {@link MetricFamily#histogram} family is its {@code _bucket}, {@code _sum} and {@code _count} samples.
 */
public final class Exposition {

    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private Exposition() {}

    public static String render(List<MetricFamily> families) {
        StringBuilder out = new StringBuilder(4096);
        for (MetricFamily family : families) {
            out.append("# HELP ").append(family.name()).append(' ').append(escapeHelp(family.help())).append('\n');
            out.append("# TYPE ").append(family.name()).append(' ').append(family.type().text()).append('\n');
            for (MetricFamily.Sample sample : family.samples()) {
                out.append(family.name()).append(sample.suffix());
                appendLabels(out, sample.labels());
                out.append(' ').append(formatValue(sample.value())).append('\n');
            }
        }
        return out.toString();
    }

    private static void appendLabels(StringBuilder out, List<MetricFamily.Label> labels) {
        if (labels.isEmpty()) {
            return;
        }
        out.append('{');
        for (int i = 0; i < labels.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(labels.get(i).name()).append("=\"").append(escapeLabelValue(labels.get(i).value())).append('"');
        }
        out.append('}');
    }

    /** HELP text escapes backslash and line feed only. */
    static String escapeHelp(String help) {
        return help.replace("\\", "\\\\").replace("\n", "\\n");
    }

    /** Label values also escape the double quote. */
    static String escapeLabelValue(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** Integral values without a fraction (counts are what we mostly export); the special values by their names. */
    static String formatValue(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }
}
