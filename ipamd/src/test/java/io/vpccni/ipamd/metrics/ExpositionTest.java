package io.vpccni.ipamd.metrics;

import static io.vpccni.ipamd.metrics.MetricFamily.label;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    void refusesNamesOutsideTheGrammar() {
        assertThatThrownBy(() -> MetricFamily.single("bad-name", "h", Type.GAUGE, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> label("__reserved", "v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> label("1x", "v")).isInstanceOf(IllegalArgumentException.class);
    }
}
