package io.vpccni.ipamd.metrics;

import static io.vpccni.ipamd.metrics.MetricFamily.label;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.eni.guard.LatencyHistogram;
import io.vpccni.ipamd.metrics.MetricFamily.HistogramSeries;
import io.vpccni.ipamd.metrics.MetricFamily.Sample;
import io.vpccni.ipamd.metrics.MetricFamily.Type;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExpositionTest {

    @Test
    void writesHelpTypeAndSamplesInOrder() {
        String text = Exposition.render(List.of(
                MetricFamily.single("a_total", "first", Type.COUNTER, 3),
                new MetricFamily("b", "second", Type.GAUGE, List.of(
                        new Sample("", List.of(label("x", "1"), label("y", "2")), 1.5)))));

        assertThat(text).isEqualTo("""
                # HELP a_total first
                # TYPE a_total counter
                a_total 3
                # HELP b second
                # TYPE b gauge
                b{x="1",y="2"} 1.5
                """);
    }

    @Test
    void escapesLabelValuesAndHelpSoTheyParseBack() {
        String nasty = "a\\b \"quoted\"\nnext";
        String text = Exposition.render(List.of(new MetricFamily("m", "help with \\ and\nline", Type.GAUGE,
                List.of(new Sample("", List.of(label("v", nasty)), 1)))));

        assertThat(text).contains("m{v=\"a\\\\b \\\"quoted\\\"\\nnext\"} 1");
        PromTextParser.Family family = PromTextParser.parse(text).get("m");
        assertThat(family.help()).isEqualTo("help with \\ and\nline");
        assertThat(family.samples().getFirst().labels()).isEqualTo(Map.of("v", nasty));
    }

    @Test
    void writesSpecialValuesByName() {
        assertThat(Exposition.formatValue(Double.NaN)).isEqualTo("NaN");
        assertThat(Exposition.formatValue(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
        assertThat(Exposition.formatValue(Double.NEGATIVE_INFINITY)).isEqualTo("-Inf");
        assertThat(Exposition.formatValue(42)).isEqualTo("42");
        assertThat(Exposition.formatValue(0.25)).isEqualTo("0.25");
    }

    @Test
    void summaryAddsSumAndCountSamples() {
        String text = Exposition.render(List.of(new MetricFamily("lat_ms", "latency", Type.SUMMARY, List.of(
                new Sample("_sum", List.of(label("api", "X")), 120),
                new Sample("_count", List.of(label("api", "X")), 2)))));

        assertThat(PromTextParser.parse(text).get("lat_ms").samples())
                .extracting(PromTextParser.Sample::name)
                .containsExactly("lat_ms_sum", "lat_ms_count");
    }

    @Test
    void histogramWritesCumulativeBucketsEndingInInfThenSumAndCountPerSeries() {
        String text = Exposition.render(List.of(MetricFamily.histogram("req_seconds", "latency", List.of(
                new HistogramSeries(List.of(label("op", "add")), new double[] {0.005, 1}, new long[] {2, 5},
                        0.75, 6),
                new HistogramSeries(List.of(label("op", "del")), new double[] {0.005, 1}, new long[] {0, 0},
                        0, 0)))));

        assertThat(text).isEqualTo("""
                # HELP req_seconds latency
                # TYPE req_seconds histogram
                req_seconds_bucket{op="add",le="0.005"} 2
                req_seconds_bucket{op="add",le="1"} 5
                req_seconds_bucket{op="add",le="+Inf"} 6
                req_seconds_sum{op="add"} 0.75
                req_seconds_count{op="add"} 6
                req_seconds_bucket{op="del",le="0.005"} 0
                req_seconds_bucket{op="del",le="1"} 0
                req_seconds_bucket{op="del",le="+Inf"} 0
                req_seconds_sum{op="del"} 0
                req_seconds_count{op="del"} 0
                """);
        assertParsesBack(text, "req_seconds", Map.of("op", "add"), 0.75, 6,
                Map.entry(0.005, 2.0), Map.entry(1.0, 5.0), Map.entry(Double.POSITIVE_INFINITY, 6.0));
    }

    @SafeVarargs
    private static void assertParsesBack(String text, String family, Map<String, String> labels, double sum,
                                         double count, Map.Entry<Double, Double>... buckets) {
        PromTextParser.HistogramSeries series = PromTextParser.histogram(PromTextParser.parse(text).get(family))
                .get(labels);
        assertThat(series.buckets()).containsExactly(buckets);
        assertThat(series.sum()).isEqualTo(sum);
        assertThat(series.count()).isEqualTo(count);
    }

    /** What a recorder hands over: the bounds as buckets, one observation above them counted in +Inf only. */
    @Test
    void aRecordedHistogramParsesBackWithItsObservations() {
        LatencyHistogram recorded = new LatencyHistogram(0.01, 0.1);
        recorded.record(2_000_000);    // 2 ms
        recorded.record(10_000_000);   // exactly 10 ms: le is inclusive
        recorded.record(60_000_000);   // 60 ms
        recorded.record(3_000_000_000L); // 3 s, above every bound
        LatencyHistogram.Snapshot s = recorded.snapshot();

        String text = Exposition.render(List.of(MetricFamily.histogram("x_seconds", "x", List.of(new HistogramSeries(
                List.of(), s.upperBoundsSeconds(), s.cumulativeCounts(), s.sumSeconds(), s.count())))));

        assertParsesBack(text, "x_seconds", Map.of(), 3.072, 4,
                Map.entry(0.01, 2.0), Map.entry(0.1, 3.0), Map.entry(Double.POSITIVE_INFINITY, 4.0));
    }

    @Test
    void histogramRefusesWhatWouldNotParse() {
        double[] bounds = {0.1, 1};
        assertThatThrownBy(() -> new HistogramSeries(List.of(), bounds, new long[] {3, 2}, 1, 3))
                .hasMessageContaining("cumulative");
        assertThatThrownBy(() -> new HistogramSeries(List.of(), bounds, new long[] {1, 2}, 1, 1))
                .hasMessageContaining("count 1 below");
        assertThatThrownBy(() -> new HistogramSeries(List.of(label("le", "1")), bounds, new long[] {1, 2}, 1, 2))
                .hasMessageContaining("le");
        assertThatThrownBy(() -> new HistogramSeries(List.of(), new double[] {1, 0.1}, new long[] {1, 2}, 1, 2))
                .hasMessageContaining("increasing");
        assertThatThrownBy(() -> MetricFamily.histogram("h", "h", List.of(
                new HistogramSeries(List.of(label("a", "1")), bounds, new long[] {0, 0}, 0, 0),
                new HistogramSeries(List.of(label("a", "2")), new double[] {0.5, 1}, new long[] {0, 0}, 0, 0))))
                .hasMessageContaining("same buckets");
    }

    /** The reader is the test's judge: it must refuse a histogram whose buckets are not cumulative or miss +Inf. */
    @Test
    void theReaderRefusesBrokenHistograms() {
        String head = "# HELP h h\n# TYPE h histogram\n";
        assertThatThrownBy(() -> PromTextParser.parse(head + "h_bucket{le=\"1\"} 3\nh_bucket{le=\"+Inf\"} 2\n"
                + "h_sum 1\nh_count 2\n")).hasMessageContaining("cumulative");
        assertThatThrownBy(() -> PromTextParser.parse(head + "h_bucket{le=\"1\"} 2\nh_sum 1\nh_count 2\n"))
                .hasMessageContaining("+Inf");
        assertThatThrownBy(() -> PromTextParser.parse(head + "h_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n"))
                .hasMessageContaining("_count");
        assertThatThrownBy(() -> PromTextParser.parse(head + "h 2\n")).hasMessageContaining("not part of family");
    }

    @Test
    void refusesNamesOutsideTheGrammar() {
        assertThatThrownBy(() -> MetricFamily.single("bad-name", "h", Type.GAUGE, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> label("__reserved", "v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> label("1x", "v")).isInstanceOf(IllegalArgumentException.class);
    }
}
