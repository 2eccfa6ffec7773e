package io.vigil.bench.pipeline;

import java.time.LocalTime;
import java.time.temporal.ChronoUnit;

/** What the benchmark tells the person running it, one time-stamped line at a time. */
public final class Console {
    private Console() {}

    public static void say(String format, Object... args) {
        System.out.printf(
                "%s bench: %s%n",
                LocalTime.now().truncatedTo(ChronoUnit.SECONDS), String.format(format, args));
        System.out.flush();
    }
}
