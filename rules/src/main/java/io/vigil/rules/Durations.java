package io.vigil.rules;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as rule files write them, in the style of Prometheus: a number and a unit, units
 * combined from largest to smallest ({@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h30m}, {@code
 * 7d}), or {@code 0}.
 */
public final class Durations {
    /**
     * Units from largest to smallest; a combined duration uses each at most once, in this order.
     */
    private static final Pattern DURATION =
            Pattern.compile("(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?(?:(\\d+)ms)?");

    private static final long[] UNIT_MILLIS = {86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L};
    private static final String[] UNIT_NAMES = {"d", "h", "m", "s", "ms"};

    /** What an error message suggests. */
    static final String EXAMPLES = "use 30s, 5m, 1h";

    private Durations() {}

    /** The milliseconds of a duration, or empty if the text is not one (or overflows). */
    public static Optional<Long> parseMillis(String text) {
        if (text == null || text.isEmpty()) {
            return Optional.empty();
        }
        if (text.equals("0")) {
            return Optional.of(0L);
        }
        Matcher matcher = DURATION.matcher(text);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        long total = 0;
        boolean any = false;
        for (int unit = 0; unit < UNIT_MILLIS.length; unit++) {
            String digits = matcher.group(unit + 1);
            if (digits == null) {
                continue;
            }
            any = true;
            try {
                total =
                        Math.addExact(
                                total,
                                Math.multiplyExact(Long.parseLong(digits), UNIT_MILLIS[unit]));
            } catch (NumberFormatException | ArithmeticException e) {
                return Optional.empty();
            }
        }
        return any ? Optional.of(total) : Optional.empty();
    }

    /** The shortest text that {@link #parseMillis} reads back as these milliseconds. */
    public static String format(long millis) {
        if (millis < 0) {
            throw new IllegalArgumentException(String.format("negative duration: %s ms", millis));
        }
        if (millis == 0) {
            return "0s";
        }
        StringBuilder text = new StringBuilder();
        long rest = millis;
        for (int unit = 0; unit < UNIT_MILLIS.length; unit++) {
            long count = rest / UNIT_MILLIS[unit];
            if (count > 0) {
                text.append(count).append(UNIT_NAMES[unit]);
                rest -= count * UNIT_MILLIS[unit];
            }
        }
        return text.toString();
    }
}
