package io.vigil.bench.pipeline;

import io.vigil.bench.measure.CpuSnapshot.CpuReport;
import io.vigil.bench.measure.CpuSnapshot.ProcessCpu;
import io.vigil.bench.measure.CpuSnapshot.ThreadCpu;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Vigil figures of a plausible three-minute run at 100 000 samples/s for the tests, with the two
 * jobs' lags as the test needs them. Kafka takes every sample offered, ten to a record (a host's
 * batch), and metrics-rollup consumes every one.
 */
final class Figures {
    static final Instant T0 = Instant.parse("2026-11-25T10:02:00Z");
    static final Instant THREE_MINUTES_LATER = T0.plusSeconds(180);
    static final MeasuredPeriod PERIOD = new MeasuredPeriod(T0, THREE_MINUTES_LATER);

    static final double RATE = 100_000;
    static final long SAMPLES = 18_000_000;
    static final int SAMPLES_PER_RECORD = 10;

    /** The TaskManager's CPU over the period: 4 s per million samples, 40 per million records. */
    static final double TASK_MANAGER_SECONDS = 72;

    static final VigilFigures.Range NOT_READ =
            new VigilFigures.Range(Double.NaN, Double.NaN, Double.NaN);

    private Figures() {}

    /** A lag that stays a second or two of samples, live and committed. */
    static VigilFigures.GroupLag bounded(String group) {
        return new VigilFigures.GroupLag(
                group,
                new VigilFigures.Range(200_000, 150_000, 400_000),
                new VigilFigures.Range(1_000_000, 800_000, 1_500_000),
                50);
    }

    /** A live lag that grows by a quarter of the rate: the job takes three quarters of it. */
    static VigilFigures.GroupLag growing(String group) {
        return new VigilFigures.GroupLag(
                group,
                new VigilFigures.Range(200_000, 4_700_000, 4_700_000),
                new VigilFigures.Range(1_000_000, 5_500_000, 5_500_000),
                25_000);
    }

    /** A group whose live lag was never read: only its committed offsets say how it did. */
    static VigilFigures.GroupLag committedOnly(String group, double committedEnd) {
        return new VigilFigures.GroupLag(
                group,
                NOT_READ,
                new VigilFigures.Range(1_000_000, committedEnd, committedEnd),
                Double.NaN);
    }

    static VigilFigures vigil(VigilFigures.GroupLag rollup, VigilFigures.GroupLag alerting) {
        return new VigilFigures(
                PERIOD,
                RATE,
                SAMPLES,
                SAMPLES / SAMPLES_PER_RECORD,
                SAMPLES,
                30_000,
                rollup,
                alerting,
                new VigilFigures.Range(35, 38, 92),
                1_200_000_000L,
                1_000_000_000L,
                1_100_000_000L,
                new VigilFigures.CassandraGrowth(true, 3_000_000, 2_900_000, ""),
                new RawStorage(9_000, 9_000_000, 12_000_000, 13_000_000, true, ""),
                new RollupLatencyProbe.Result(100, 3, 3, 0, List.of(31_000L, 32_000L, 35_000L)),
                new CpuReport(
                        180,
                        400,
                        List.of(
                                process("kafka", 36),
                                process("cassandra", 18),
                                process("flink-jobmanager", 3.6),
                                process("flink-taskmanager-1", TASK_MANAGER_SECONDS),
                                process(VigilFigures.GENERATOR, 54))),
                Map.of(),
                "RUNNING",
                "RUNNING",
                List.of());
    }

    private static ProcessCpu process(String name, double cpuSeconds) {
        return new ProcessCpu(
                name,
                1,
                cpuSeconds,
                512L * 1024 * 1024,
                List.of(new ThreadCpu("main", cpuSeconds)));
    }
}
