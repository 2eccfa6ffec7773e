package io.vigil.bench.pipeline;

import io.vigil.bench.measure.CpuSnapshot.CpuReport;
import io.vigil.bench.measure.JfrProfile;
import io.vigil.bench.measure.Percentiles;
import java.util.List;
import java.util.Map;

/**
 * What the Vigil side of a run measured over its measured period.
 *
 * @param period the measured period
 * @param requestedRate samples per second asked of the generator
 * @param acknowledged samples Kafka acknowledged in the period
 * @param records records Kafka acknowledged in the period: batches of a host's samples
 * @param consumed samples that reached metrics-rollup's window operator in the period
 * @param rowsWritten rollup rows Cassandra acknowledged in the period
 * @param rollupLag metrics-rollup's consumer lag ({@code vigil-metrics-rollup})
 * @param alertingLag the alerting job's consumer lag ({@code vigil-alerting}); it reads every
 *     sample too, from the same topic
 * @param watermarkDelaySeconds wall time minus the window operator's watermark
 * @param valueBytes encoded (uncompressed) batch values acknowledged in the period
 * @param networkBytes bytes the generator's producer wrote to the broker in the period
 * @param kafkaLogBytes growth of the samples topic's log segments in the period
 * @param cassandra growth of the rollup table on disk
 * @param raw the raw sample chunks of the whole run, encoded and on disk
 * @param latency sample-to-rollup latencies of the windows that ended in the period
 * @param cpu CPU of every Vigil process and the generator in the period
 * @param profiles JFR summaries by process, recorded after the period (and its rollups)
 * @param rollupState metrics-rollup's state at the end
 * @param alertingState the alerting job's state at the end
 * @param notes anything that went wrong or limits a figure
 */
public record VigilFigures(
        MeasuredPeriod period,
        double requestedRate,
        long acknowledged,
        long records,
        long consumed,
        long rowsWritten,
        GroupLag rollupLag,
        GroupLag alertingLag,
        Range watermarkDelaySeconds,
        long valueBytes,
        long networkBytes,
        long kafkaLogBytes,
        CassandraGrowth cassandra,
        RawStorage raw,
        RollupLatencyProbe.Result latency,
        CpuReport cpu,
        Map<String, JfrProfile.Summary> profiles,
        String rollupState,
        String alertingState,
        List<String> notes) {

    /** Process name of the JVM that runs the generator (and the benchmark's probes). */
    public static final String GENERATOR = "generator JVM";

    /** The processes that make up Vigil itself, without the load generator. */
    public static final List<String> PIPELINE =
            List.of("kafka", "cassandra", "flink-jobmanager", "flink-taskmanager-1");

    /** The seconds of samples the live lag may end with when a job keeps up. */
    static final double LIVE_LAG_BOUND_SECONDS = 10;

    /**
     * The seconds of samples the committed lag may end with when a job keeps up: the live bound,
     * plus the checkpoint interval (10 s, flink-conf/config.yaml) by which commits trail, plus as
     * much again for the checkpoint itself to complete on a loaded machine.
     */
    static final double COMMITTED_LAG_BOUND_SECONDS = 30;

    /**
     * The samples a process handled in the period: Kafka and the generator every acknowledged
     * sample, Flink and Cassandra every sample metrics-rollup consumed. The same number when the
     * pipeline keeps up; when it falls behind, dividing the job's CPU by the samples Kafka took
     * would make it look cheaper than it is.
     *
     * <p>Samples, not records: Kafka and the sources count records, a batch of a host's samples
     * each, which would make every figure per million larger by the batch size. The TaskManager
     * runs both jobs, each of which reads every sample; its CPU is both jobs' per sample handled,
     * counted once (at the rollup operator, the one operator that counts samples).
     */
    public long samplesHandledBy(String process) {
        return process.equals("kafka") || process.equals(GENERATOR) ? acknowledged : consumed;
    }

    /** CPU seconds per million samples of the processes named, each over what it handled. */
    public double cpuPerMillion(List<String> processes) {
        return cpu.processes().stream()
                .filter(p -> processes.contains(p.name()))
                .mapToDouble(p -> p.cpuSeconds() / (samplesHandledBy(p.name()) / 1e6))
                .sum();
    }

    /** As {@link #cpuPerMillion}, without the JIT compiler threads' CPU (warm-up, not load). */
    public double cpuPerMillionWithoutJit(List<String> processes) {
        return cpu.processes().stream()
                .filter(p -> processes.contains(p.name()))
                .mapToDouble(
                        p -> (p.cpuSeconds() - p.jitSeconds()) / (samplesHandledBy(p.name()) / 1e6))
                .sum();
    }

    public double ackedRate() {
        return acknowledged / period.seconds();
    }

    public double consumedRate() {
        return consumed / period.seconds();
    }

    /** Samples per record written: the hosts' batch size. */
    public double samplesPerRecord() {
        return records == 0 ? Double.NaN : (double) acknowledged / records;
    }

    /**
     * Samples per second the alerting job took from Kafka: those acknowledged minus its lag's
     * growth (it counts no samples itself), by the live lag where read, else by the committed lag
     * (then only to within a checkpoint interval's worth of samples over the period).
     */
    public double alertingRate() {
        Range lag = alertingLag.liveRead() ? alertingLag.live() : alertingLag.committed();
        return (acknowledged - (lag.end() - lag.start())) / period.seconds();
    }

    /**
     * Whether the pipeline kept up: the generator delivered at least 97 % of the requested rate,
     * and both jobs kept up with it (see {@link GroupLag#keptUp}); the system is only as fast as
     * its slower job.
     */
    public boolean sustained() {
        return ackedRate() >= 0.97 * requestedRate
                && rollupLag.keptUp(requestedRate)
                && alertingLag.keptUp(requestedRate);
    }

    public Percentiles latencyPercentiles() {
        return new Percentiles(latency.latenciesMillis());
    }

    /** A quantity at the start and end of the period, and its maximum in between. */
    public record Range(double start, double end, double max) {}

    /**
     * One job's consumer lag over the period, in samples: Kafka and the sources count records, a
     * batch each, converted at the writer's samples per record when read.
     *
     * @param group the job's Kafka consumer group
     * @param live the job's live lag, samples its source has not fetched yet; NaN where not read
     * @param committed the group's lag by committed offsets (trails by a checkpoint)
     * @param liveSlopePerSecond least-squares growth of the live lag over the period, samples/s;
     *     NaN with fewer than two readings of it
     */
    public record GroupLag(String group, Range live, Range committed, double liveSlopePerSecond) {

        /**
         * Whether the live lag was read over the period, at its end and often enough for a slope.
         */
        public boolean liveRead() {
            return !Double.isNaN(live.end()) && !Double.isNaN(liveSlopePerSecond);
        }

        /**
         * Whether the job kept up with {@code rate}: its live lag grew by less than 1 % of the rate
         * per second over the period and ended below ten seconds' worth of samples. Without the
         * live lag, the committed lag must end below thirty seconds' worth: commits move once a
         * checkpoint, so that lag is a sawtooth whose slope says nothing over a few minutes; the
         * bound catches a job that falls far behind, not one that falls behind slowly.
         */
        public boolean keptUp(double rate) {
            if (liveRead()) {
                return liveSlopePerSecond < 0.01 * rate
                        && live.end() < LIVE_LAG_BOUND_SECONDS * rate;
            }
            // A NaN (never read) fails the comparison: an unmeasured job is not a sustained one.
            return committed.end() < COMMITTED_LAG_BOUND_SECONDS * rate;
        }
    }

    /**
     * How the rollup table grew on disk.
     *
     * @param flushed whether memtables were flushed before each measurement (through JMX)
     * @param dataDirBytes growth of the table's folder (all SSTable components)
     * @param liveDiskSpaceBytes growth of Cassandra's own LiveDiskSpaceUsed metric
     * @param note how it was measured, or why it could not be
     */
    public record CassandraGrowth(
            boolean flushed, long dataDirBytes, long liveDiskSpaceBytes, String note) {}
}
