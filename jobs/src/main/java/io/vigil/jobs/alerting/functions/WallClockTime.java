package io.vigil.jobs.alerting.functions;

import java.io.Serializable;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Time for the CEP stages of the alerting job: an element's timestamp is the wall clock when it
 * passes, and the watermark follows the wall clock whether elements pass or not.
 *
 * <p>Why not CEP in processing time: there it advances a key's time only when that key's next event
 * arrives, so a partial match (an alert that fired once, one fall of a process) and the events it
 * buffered stay in state until the same fingerprint sees another event, which for a host that was
 * decommissioned is never. In event time, every watermark prunes the partial matches that can no
 * longer complete within the pattern's window and drops a key's state once nothing is left of it.
 * The cost is up to a second (the watermark's {@link #TICK_MS}) before a match is reported.
 *
 * <p>No element may be late: timestamps never fall behind the last watermark emitted, even when the
 * wall clock steps back, so every element reaches the pattern. Assigner and generator share that
 * bound through the strategy instance, which Flink creates both from for one subtask.
 */
public final class WallClockTime<T> implements WatermarkStrategy<T> {
    private static final long serialVersionUID = 1L;

    /** The wall clock, in milliseconds since the epoch. */
    @FunctionalInterface
    public interface Millis extends Serializable {
        long now();
    }

    /**
     * The watermark advances in whole seconds. CEP sets a timer at the next watermark for every key
     * with a partial match (an alert that fired once and may yet flap), so each advance costs a
     * timer per such key: five a second at Flink's 200 ms interval, one a second like this. A match
     * is reported up to a second later; the patterns span minutes.
     */
    static final long TICK_MS = 1_000;

    private final Millis clock;

    /** The highest watermark this subtask emitted; elements are stamped after it. */
    private transient long[] emitted;

    private WallClockTime(Millis clock) {
        this.clock = clock;
    }

    /** On the system clock. */
    public static <T> WallClockTime<T> system() {
        return new WallClockTime<>(System::currentTimeMillis);
    }

    /** On {@code clock}, for tests. */
    public static <T> WallClockTime<T> on(Millis clock) {
        return new WallClockTime<>(clock);
    }

    private long[] emitted() {
        if (emitted == null) {
            emitted = new long[] {Long.MIN_VALUE};
        }
        return emitted;
    }

    @Override
    public TimestampAssigner<T> createTimestampAssigner(TimestampAssignerSupplier.Context context) {
        long[] floor = emitted();
        return (element, recordTimestamp) -> Math.max(clock.now(), floor[0] + 1);
    }

    @Override
    public WatermarkGenerator<T> createWatermarkGenerator(
            WatermarkGeneratorSupplier.Context context) {
        long[] last = emitted();
        return new WatermarkGenerator<>() {
            @Override
            public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {}

            @Override
            public void onPeriodicEmit(WatermarkOutput output) {
                // Behind every element stamped so far (they carry at most now), and ahead of
                // none stamped later; whole seconds only, see TICK_MS.
                long watermark = Math.floorDiv(clock.now(), TICK_MS) * TICK_MS - 1;
                if (watermark > last[0]) {
                    last[0] = watermark;
                    output.emitWatermark(new Watermark(watermark));
                }
            }
        };
    }
}
