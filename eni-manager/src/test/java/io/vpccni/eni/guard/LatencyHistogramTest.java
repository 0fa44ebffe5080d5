package io.vpccni.eni.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void countsEachDurationInTheFirstBucketAtOrAboveItCumulatively() {
        LatencyHistogram histogram = new LatencyHistogram(0.001, 0.01, 0.1);

        histogram.record(500_000);      // 0.5 ms
        histogram.record(1_000_000);    // exactly 1 ms: le is inclusive
        histogram.record(1_000_001);
        histogram.record(-5);           // a clock stepping back counts as 0
        histogram.record(2_000_000_000L); // above every bound

        LatencyHistogram.Snapshot s = histogram.snapshot();
        assertThat(s.upperBoundsSeconds()).containsExactly(0.001, 0.01, 0.1);
        assertThat(s.cumulativeCounts()).containsExactly(3, 4, 4);
        assertThat(s.count()).isEqualTo(5);
        assertThat(s.sumSeconds()).isEqualTo(2.002500001);
    }

    @Test
    void concurrentRecordingLosesNothing() throws InterruptedException {
        LatencyHistogram histogram = new LatencyHistogram(0.001, 0.01);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 10_000; i++) {
                    histogram.record(i % 2 == 0 ? 500_000 : 5_000_000);
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }

        LatencyHistogram.Snapshot s = histogram.snapshot();
        assertThat(s.cumulativeCounts()).containsExactly(20_000, 40_000);
        assertThat(s.count()).isEqualTo(40_000);
        assertThat(s.sumSeconds()).isCloseTo(110.0, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void refusesBoundsThatAreNotIncreasingPositiveAndFinite() {
        assertThatThrownBy(LatencyHistogram::new).hasMessageContaining("at least one");
        assertThatThrownBy(() -> new LatencyHistogram(0.1, 0.1)).hasMessageContaining("increasing");
        assertThatThrownBy(() -> new LatencyHistogram(0, 1)).hasMessageContaining("positive");
        assertThatThrownBy(() -> new LatencyHistogram(1, Double.POSITIVE_INFINITY)).hasMessageContaining("finite");
    }
}
