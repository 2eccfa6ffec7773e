package io.vigil.bench.pipeline;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.vigil.bench.Fleet;
import io.vigil.bench.FleetSimulator;
import io.vigil.schemas.MetricBatch;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Times samples from Kafka to a readable rollup row in Cassandra, for a few followed series.
 *
 * <p>Definition: for a followed series and a window, the latency is the time from Kafka
 * acknowledging the series' <em>last</em> sample of the window (acks=all, the broker's answer to
 * the generator) to the first poll that finds the window's row in {@code vigil.rollups_1m}. By
 * design it contains the job's out-of-orderness allowance (the watermark trails the newest sample
 * by 30 s, so a window is written once samples 30 s past its end have arrived) plus one step (the
 * sample that moves the watermark past the window has to be sent first); a sample at the start of a
 * window waits one window length (60 s) more. Polls run every 200 ms, so a latency is at most 200
 * ms too high.
 *
 * <p>As a {@link FleetSimulator.Tracer} it asks the generator to report when Kafka acknowledged the
 * batch holding the last sample of each window of each followed series (a host's batch holds all
 * its series, so one acknowledgement times every followed series of the host); a poller thread then
 * queries Cassandra for the window's rows, starting 20 s after the window's end.
 */
final class RollupLatencyProbe implements FleetSimulator.Tracer, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RollupLatencyProbe.class);

    private static final Duration POLL_INTERVAL = Duration.ofMillis(200);

    /** No row can appear before the watermark wait is over; polling earlier is wasted. */
    private static final Duration FIRST_POLL_AFTER_WINDOW_END = Duration.ofSeconds(20);

    /** How far ahead of the watermark a window's end may be when its polls start. */
    private static final Duration WATERMARK_MARGIN = Duration.ofSeconds(5);

    /** The watermark metric refreshes once a second; asking more often is wasted. */
    private static final Duration WATERMARK_EVERY = Duration.ofSeconds(1);

    private static final String SELECT =
            "SELECT series_id FROM vigil.rollups_1m WHERE series_id IN ? AND day = ? AND ts = ?";

    private final long stepMillis;
    private final long windowMillis;
    private final Duration giveUpAfter;

    /** The followed series by host name: a host's batch is followed if it has any. */
    private final Map<String, List<Fleet.Series>> followedByHost;

    private final int followedCount;
    private final CqlSession session;
    private final PreparedStatement select;
    private final ScheduledExecutorService poller;
    private final LongSupplier watermark;

    /** The last watermark read and when; used by the poller thread only. */
    private long lastWatermark = Long.MIN_VALUE;

    private long watermarkReadAt;

    /** Windows by start, with the ack and readable times of each followed series. */
    private final ConcurrentSkipListMap<Long, Window> windows = new ConcurrentSkipListMap<>();

    /**
     * @param fleet the simulated fleet
     * @param seriesToFollow how many series, spread evenly over the fleet (so over hosts, metrics
     *     and Kafka partitions)
     * @param step the generator's step
     * @param window the job's window length
     * @param giveUpAfter how long after a window's end to keep looking for its rows
     * @param session a session to the stack's Cassandra
     * @param watermark reads the window operator's watermark (ms), {@link Long#MIN_VALUE} if none
     */
    RollupLatencyProbe(
            Fleet fleet,
            int seriesToFollow,
            Duration step,
            Duration window,
            Duration giveUpAfter,
            CqlSession session,
            LongSupplier watermark) {
        int total = fleet.series().size();
        int count = Math.max(1, Math.min(seriesToFollow, total));
        Map<String, List<Fleet.Series>> byHost = new HashMap<>();
        for (int i = 0; i < count; i++) {
            Fleet.Series series = fleet.series().get((int) ((long) i * total / count));
            byHost.computeIfAbsent(series.host().name(), host -> new ArrayList<>()).add(series);
        }
        byHost.replaceAll((host, series) -> List.copyOf(series));
        this.followedByHost = Map.copyOf(byHost);
        this.followedCount = count;
        this.stepMillis = step.toMillis();
        this.windowMillis = window.toMillis();
        this.giveUpAfter = giveUpAfter;
        this.session = session;
        this.watermark = watermark;
        this.select = session.prepare(SELECT);
        this.poller =
                Executors.newSingleThreadScheduledExecutor(
                        runnable -> {
                            Thread thread = new Thread(runnable, "bench-latency-probe");
                            thread.setDaemon(true);
                            return thread;
                        });
        poller.scheduleWithFixedDelay(
                this::pollSafely,
                POLL_INTERVAL.toMillis(),
                POLL_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public boolean follows(Fleet.Host host, long tick, MetricBatch sent) {
        // The last tick of a window: the next one starts a new window.
        return windowOf(tick) != windowOf(tick + 1) && followedByHost.containsKey(host.name());
    }

    @Override
    public void acknowledged(Fleet.Host host, long tick, MetricBatch sent, long wallMillis) {
        Window window = windows.computeIfAbsent(windowOf(tick), Window::new);
        for (Fleet.Series series : followedByHost.get(host.name())) {
            window.acked.put(series.id(), wallMillis);
        }
    }

    private long windowOf(long tick) {
        return Math.floorDiv(tick * stepMillis, windowMillis) * windowMillis;
    }

    private void pollSafely() {
        try {
            poll();
        } catch (RuntimeException e) {
            // A slow or overloaded Cassandra answers late; the next poll tries again.
            LOG.debug("Latency poll failed: {}", e.toString());
        }
    }

    private void poll() {
        long now = System.currentTimeMillis();
        for (Window window : windows.values()) {
            long end = window.start + windowMillis;
            if (now < end + FIRST_POLL_AFTER_WINDOW_END.toMillis()
                    || watermark(now) < end - WATERMARK_MARGIN.toMillis()) {
                break;
            }
            if (window.isComplete(followedCount) || window.gaveUp) {
                continue;
            }
            if (now > end + giveUpAfter.toMillis()) {
                window.gaveUp = true;
                continue;
            }
            long sinceFirstPoll = window.firstPollAt == 0 ? 0 : now - window.firstPollAt;
            if (now - window.lastPollAt < Math.max(POLL_INTERVAL.toMillis(), sinceFirstPoll / 20)) {
                continue;
            }
            if (window.firstPollAt == 0) {
                window.firstPollAt = now;
            }
            window.lastPollAt = now;
            List<Long> missing =
                    window.acked.keySet().stream()
                            .filter(id -> !window.readable.containsKey(id))
                            .toList();
            Instant start = Instant.ofEpochMilli(window.start);
            for (Row row :
                    session.execute(
                            select.bind(
                                    missing, LocalDate.ofInstant(start, ZoneOffset.UTC), start))) {
                window.readable.putIfAbsent(row.getLong("series_id"), now);
            }
        }
    }

    private long watermark(long now) {
        if (now - watermarkReadAt >= WATERMARK_EVERY.toMillis()) {
            watermarkReadAt = now;
            lastWatermark = watermark.getAsLong();
        }
        return lastWatermark;
    }

    /**
     * The latencies (ms) of the windows whose last sample was acknowledged within [{@code from},
     * {@code to}) and which were followed from their start.
     */
    Result result(Instant from, Instant to) {
        List<Long> latencies = new ArrayList<>();
        int windowCount = 0;
        int completeWindows = 0;
        int missingRows = 0;
        for (Window window : windows.values()) {
            long lastAck =
                    window.acked.values().stream().mapToLong(Long::longValue).max().orElse(0);
            if (window.acked.size() < followedCount
                    || lastAck < from.toEpochMilli()
                    || lastAck >= to.toEpochMilli()) {
                continue;
            }
            windowCount++;
            if (window.isComplete(followedCount)) {
                completeWindows++;
            }
            for (Map.Entry<Long, Long> ack : window.acked.entrySet()) {
                Long readable = window.readable.get(ack.getKey());
                if (readable == null) {
                    missingRows++;
                } else {
                    latencies.add(readable - ack.getValue());
                }
            }
        }
        return new Result(followedCount, windowCount, completeWindows, missingRows, latencies);
    }

    /** Whether every followed window in [from, to) has all its rows or was given up. */
    boolean settled(Instant from, Instant to) {
        return windows.values().stream()
                .filter(
                        w ->
                                w.start + windowMillis > from.toEpochMilli()
                                        && w.start + windowMillis <= to.toEpochMilli())
                .allMatch(w -> w.isComplete(followedCount) || w.gaveUp);
    }

    @Override
    public void close() {
        poller.shutdownNow();
        try {
            poller.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One window of the followed series. */
    private static final class Window {
        final long start;
        final Map<Long, Long> acked = new ConcurrentHashMap<>();
        final Map<Long, Long> readable = new ConcurrentHashMap<>();
        volatile boolean gaveUp;

        /** Written and read by the poller thread only. */
        long firstPollAt;

        long lastPollAt;

        Window(long start) {
            this.start = start;
        }

        boolean isComplete(int followedCount) {
            return readable.size() >= followedCount;
        }
    }

    /**
     * What the probe saw.
     *
     * @param seriesFollowed series followed per window
     * @param windows windows counted
     * @param completeWindows windows whose rows all became readable
     * @param missingRows rows that did not become readable before the probe gave up
     * @param latenciesMillis one latency per readable row
     */
    record Result(
            int seriesFollowed,
            int windows,
            int completeWindows,
            int missingRows,
            List<Long> latenciesMillis) {}
}
