package io.vigil.jobs.rollup.functions;

import io.vigil.connectors.kafka.DeadLetters;
import io.vigil.schemas.DeadLetter;
import io.vigil.schemas.MetricBatch;
import io.vigil.schemas.MetricBatches;
import java.io.Serializable;
import java.time.Instant;

/**
 * What the rollup job's event-time functions do with a late sample: one that belongs to an interval
 * (a rollup window, a raw chunk) that was already written. Such a sample is counted by the caller
 * and sent to the dead letters with reason {@code late} and its original bytes, never merged into a
 * written row: rewriting a row from partial state would make it wrong.
 *
 * <pre>{@code
 * private final LateSamples late = new LateSamples("window");
 * ...
 * long watermark = ctx.timerService().currentWatermark();
 * if (LateSamples.isLate(start + length - 1, watermark)) {
 *     lateSamples.inc();
 *     ctx.output(
 *             DeadLetters.TAG,
 *             late.deadLetter(batch, i, start, length, watermark));
 *     return;
 * }
 * }</pre>
 *
 * <p>One instance per function, held as a field: it ships to the TaskManagers with the function.
 */
final class LateSamples implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String interval;

    /**
     * @param interval what the caller writes per interval, for the reason text: {@code "window"},
     *     {@code "raw chunk"}
     */
    LateSamples(String interval) {
        this.interval = interval;
    }

    /**
     * Whether an interval has been written: its timer, on its last millisecond, fires as soon as
     * the watermark reaches that millisecond.
     */
    static boolean isLate(long lastMillisOfInterval, long watermark) {
        return lastMillisOfInterval <= watermark;
    }

    /**
     * The dead letter of a late sample.
     *
     * @param start start of the interval the sample belongs to, ms since the epoch
     * @param length length of that interval, ms
     * @param watermark the watermark that made the sample late
     */
    DeadLetter deadLetter(MetricBatch batch, int i, long start, long length, long watermark) {
        String reason =
                String.format(
                        "late: sample at %s belongs to the %s [%s, %s) that was already written"
                                + " (watermark %s)",
                        Instant.ofEpochMilli(MetricBatches.timestamp(batch, i)),
                        interval,
                        Instant.ofEpochMilli(start),
                        Instant.ofEpochMilli(start + length),
                        Instant.ofEpochMilli(watermark));
        // As a batch of that sample with the batch's shared labels, keyed by its origin like every
        // other dead-lettered sample, so that a replay lands on its host's partition.
        return DeadLetters.ofSample(batch, i, reason, System.currentTimeMillis());
    }
}
