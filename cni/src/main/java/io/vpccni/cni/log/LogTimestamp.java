package io.vpccni.cni.log;

/**
 * UTC timestamps for log lines, {@code 2026-11-27T20:27:18.261Z} (the shape aws-vpc-cni's logs
 * have), computed with integer arithmetic. Why not {@code Instant.toString()}: the first use of
 * java.time's formatter initialises its tables and a regex, measurable in a plugin process that
 * writes a handful of lines (BENCHMARKS.md).
 */
final class LogTimestamp {
    private static final long MILLIS_PER_DAY = 86_400_000L;

    private LogTimestamp() {}

    /** {@code epochMillis} (any value, before 1970 too) as {@code yyyy-MM-ddTHH:mm:ss.SSSZ}. */
    static String format(long epochMillis) {
        long days = Math.floorDiv(epochMillis, MILLIS_PER_DAY);
        long millisOfDay = Math.floorMod(epochMillis, MILLIS_PER_DAY);
        // Days since 1970-01-01 to a proleptic Gregorian date, in 400-year eras of 146,097 days
        // counted from 0000-03-01, so that the leap day falls at the end of each year
        // (H. Hinnant, "chrono-compatible low-level date algorithms", civil_from_days).
        long shifted = days + 719_468;
        long era = Math.floorDiv(shifted, 146_097);
        long dayOfEra = shifted - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long monthFromMarch = (5 * dayOfYear + 2) / 153;
        long day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1;
        long month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
        long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);

        StringBuilder b = new StringBuilder(24);
        pad(b, year, 4).append('-');
        pad(b, month, 2).append('-');
        pad(b, day, 2).append('T');
        pad(b, millisOfDay / 3_600_000, 2).append(':');
        pad(b, millisOfDay / 60_000 % 60, 2).append(':');
        pad(b, millisOfDay / 1_000 % 60, 2).append('.');
        return pad(b, millisOfDay % 1_000, 3).append('Z').toString();
    }

    private static StringBuilder pad(StringBuilder b, long value, int width) {
        if (value < 0) {
            b.append('-');
            value = -value;
        }
        String digits = Long.toString(value);
        for (int i = digits.length(); i < width; i++) {
            b.append('0');
        }
        return b.append(digits);
    }
}
