package io.vpccni.ipamd.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the text exposition format 0.0.4, written independently of {@link Exposition} so the tests
 * check the output against the grammar rather than against the writer: every line is a HELP, a TYPE or a sample;
 * HELP and TYPE come once per family, before its samples; a sample belongs to the family declared last (a summary
 * may add _sum and _count); label values are quoted with \\, \" and \n escapes; values are floats or NaN/±Inf.
 * A histogram has only _bucket, _sum and _count samples, and each of its series (labels but le) must hold together:
 * buckets with an le label, in increasing order of le, their counts cumulative (never falling), the last one
 * le="+Inf" and equal to the series' _count, and one _sum.
 */
public final class PromTextParser {

    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (.*)");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|summary|histogram|untyped)");
    private static final Pattern SAMPLE = Pattern.compile("(" + NAME + ")(\\{.*})? (\\S+)");

    public record Sample(String name, Map<String, String> labels, double value) {}

    public record Family(String name, String help, String type, List<Sample> samples) {}

    public static Map<String, Family> parse(String text) {
        if (!text.endsWith("\n")) {
            throw new IllegalArgumentException("the exposition must end with a line feed");
        }
        Map<String, Family> families = new LinkedHashMap<>();
        String help = null;
        String helpFor = null;
        Family current = null;
        int number = 0;
        for (String line : text.substring(0, text.length() - 1).split("\n", -1)) {
            number++;
            Matcher m;
            if ((m = HELP.matcher(line)).matches()) {
                require(!families.containsKey(m.group(1)), number, "second HELP for " + m.group(1));
                helpFor = m.group(1);
                help = unescapeHelp(m.group(2));
            } else if ((m = TYPE.matcher(line)).matches()) {
                require(m.group(1).equals(helpFor), number, "TYPE without a HELP just before it");
                require(!families.containsKey(m.group(1)), number, "second TYPE for " + m.group(1));
                current = new Family(m.group(1), help, m.group(2), new ArrayList<>());
                families.put(current.name(), current);
            } else if ((m = SAMPLE.matcher(line)).matches()) {
                require(current != null, number, "sample before any TYPE");
                String name = m.group(1);
                boolean histogram = current.type().equals("histogram");
                boolean own = histogram ? name.equals(current.name() + "_bucket")
                        || name.equals(current.name() + "_sum") || name.equals(current.name() + "_count")
                        : name.equals(current.name()) || current.type().equals("summary")
                        && (name.equals(current.name() + "_sum") || name.equals(current.name() + "_count"));
                require(own, number, name + " is not part of family " + current.name());
                current.samples().add(new Sample(name, labels(m.group(2), number), value(m.group(3), number)));
            } else {
                throw new IllegalArgumentException("line " + number + " fits no rule of the format: " + line);
            }
        }
        families.values().stream().filter(f -> f.type().equals("histogram")).forEach(PromTextParser::histogram);
        return families;
    }

    /** A histogram's series: its buckets by le in the order written, its _sum and its _count. */
    public record HistogramSeries(Map<String, String> labels, LinkedHashMap<Double, Double> buckets, double sum,
                                  double count) {}

    /** The series of a histogram family, keyed by their labels other than le; checked as {@link #parse} does. */
    public static Map<Map<String, String>, HistogramSeries> histogram(Family family) {
        check(family.type().equals("histogram"), family.name() + " is a " + family.type());
        Map<Map<String, String>, LinkedHashMap<Double, Double>> buckets = new LinkedHashMap<>();
        Map<Map<String, String>, Double> sums = new LinkedHashMap<>();
        Map<Map<String, String>, Double> counts = new LinkedHashMap<>();
        String where = family.name() + ": ";
        for (Sample s : family.samples()) {
            Map<String, String> series = new LinkedHashMap<>(s.labels());
            String le = series.remove("le");
            if (s.name().endsWith("_bucket")) {
                check(le != null, where + "a bucket without an le label " + s.labels());
                double bound = value(le, 0);
                LinkedHashMap<Double, Double> seen = buckets.computeIfAbsent(series, k -> new LinkedHashMap<>());
                if (!seen.isEmpty()) {
                    double lastBound = seen.sequencedKeySet().getLast();
                    check(bound > lastBound, where + "le=" + le + " after le=" + lastBound + " in " + series);
                    check(s.value() >= seen.lastEntry().getValue(),
                            where + "bucket counts are not cumulative in " + series);
                }
                seen.put(bound, s.value());
            } else {
                check(le == null, where + s.name() + " has an le label");
                Map<Map<String, String>, Double> into = s.name().endsWith("_sum") ? sums : counts;
                check(into.put(series, s.value()) == null, where + "a second " + s.name() + " for " + series);
            }
        }
        Map<Map<String, String>, HistogramSeries> out = new LinkedHashMap<>();
        buckets.forEach((series, seen) -> {
            check(seen.sequencedKeySet().getLast() == Double.POSITIVE_INFINITY,
                    where + "the last bucket of " + series + " is not le=\"+Inf\"");
            check(counts.containsKey(series) && sums.containsKey(series),
                    where + series + " lacks its _sum or _count");
            check(seen.lastEntry().getValue().equals(counts.get(series)),
                    where + "the +Inf bucket of " + series + " is not its _count");
            out.put(series, new HistogramSeries(series, seen, sums.get(series), counts.get(series)));
        });
        check(out.keySet().containsAll(counts.keySet()) && out.keySet().containsAll(sums.keySet()),
                where + "a _sum or _count without buckets");
        return out;
    }

    private static Map<String, String> labels(String block, int line) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (block == null) {
            return labels;
        }
        String body = block.substring(1, block.length() - 1);
        int i = 0;
        while (i < body.length()) {
            int eq = body.indexOf("=\"", i);
            require(eq > i, line, "label without a name or value");
            String name = body.substring(i, eq);
            require(name.matches("[a-zA-Z_][a-zA-Z0-9_]*"), line, "bad label name " + name);
            StringBuilder value = new StringBuilder();
            int j = eq + 2;
            for (; j < body.length() && body.charAt(j) != '"'; j++) {
                char c = body.charAt(j);
                if (c == '\\') {
                    char next = body.charAt(++j);
                    require(next == '\\' || next == '"' || next == 'n', line, "bad escape \\" + next);
                    value.append(next == 'n' ? '\n' : next);
                } else {
                    require(c != '\n', line, "raw line feed in a label value");
                    value.append(c);
                }
            }
            require(j < body.length(), line, "unterminated label value");
            require(labels.put(name, value.toString()) == null, line, "label " + name + " twice");
            i = j + 1;
            if (i < body.length()) {
                require(body.charAt(i) == ',', line, "labels must be separated by commas");
                i++;
            }
        }
        return labels;
    }

    private static double value(String text, int line) {
        return switch (text) {
            case "NaN" -> Double.NaN;
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> {
                require(text.matches("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?"), line, "bad value " + text);
                yield Double.parseDouble(text);
            }
        };
    }

    private static String unescapeHelp(String text) {
        return text.replace("\\n", "\n").replace("\\\\", "\\");
    }

    private static void check(boolean condition, String problem) {
        if (!condition) {
            throw new IllegalArgumentException(problem);
        }
    }

    private static void require(boolean condition, int line, String problem) {
        if (!condition) {
            throw new IllegalArgumentException("line " + line + ": " + problem);
        }
    }
}
