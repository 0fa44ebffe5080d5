package io.vpccni.cni.log;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The hand-computed timestamps agree with java.time's ISO-8601 rendering, millisecond precision. */
class LogTimestampTest {
    private static String expected(long millis) {
        Instant i = Instant.ofEpochMilli(millis);
        String s = i.truncatedTo(ChronoUnit.SECONDS).toString(); // ...:ssZ
        return s.substring(0, s.length() - 1) + String.format(".%03dZ", Math.floorMod(millis, 1000L));
    }

    @Test
    void calendarEdgesMatchJavaTime() {
        String[] instants = {
                "1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999Z", "2000-02-29T12:00:00Z", "2000-03-01T00:00:00Z",
                "2100-02-28T23:59:59.999Z", "2100-03-01T00:00:00Z", "2024-02-29T00:00:00.001Z", "2026-12-31T23:59:59.999Z",
                "2027-01-01T00:00:00Z", "1900-03-01T00:00:00Z", "2400-02-29T06:07:08.009Z", "9999-12-31T23:59:59.999Z"};
        for (String text : instants) {
            long millis = Instant.parse(text).toEpochMilli();
            assertThat(LogTimestamp.format(millis)).as(text).isEqualTo(expected(millis));
        }
    }

    @Test
    void randomInstantsOverFiveCenturiesMatchJavaTime() {
        SplittableRandom random = new SplittableRandom(42);
        long from = Instant.parse("1800-01-01T00:00:00Z").toEpochMilli();
        long to = Instant.parse("2300-01-01T00:00:00Z").toEpochMilli();
        for (int i = 0; i < 100_000; i++) {
            long millis = random.nextLong(from, to);
            assertThat(LogTimestamp.format(millis)).isEqualTo(expected(millis));
        }
    }
}
