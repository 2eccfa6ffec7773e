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
 * @param consumed samples that reached the job's window operator in the period
 * @param rowsWritten rollup rows Cassandra acknowledged in the period
 * @param pendingLag the job's live consumer lag (samples not fetched yet; Kafka counts records,
 *     converted at the period's samples per record)
 * @param committedLag the consumer group's lag by committed offsets (trails by a checkpoint), in
 *     samples likewise
 * @param watermarkDelaySeconds wall time minus the window operator's watermark
 * @param lagSlopePerSecond least-squares growth of the live lag over the period, samples/s
 * @param valueBytes encoded (uncompressed) batch values acknowledged in the period
 * @param networkBytes bytes the generator's producer wrote to the broker in the period
 * @param kafkaLogBytes growth of the samples topic's log segments in the period
 * @param cassandra growth of the rollup table on disk
 * @param raw the raw sample chunks of the whole run, encoded and on disk
 * @param latency sample-to-rollup latencies of the windows that ended in the period
 * @param cpu CPU of every Vigil process and the generator in the period
 * @param profiles JFR summaries by process, recorded after the period (and its rollups)
 * @param jobState the job's state at the end
 * @param notes anything that went wrong or limits a figure
 */
public record VigilFigures(
        MeasuredPeriod period,
        double requestedRate,
        long acknowledged,
        long records,
        long consumed,
        long rowsWritten,
        Range pendingLag,
        Range committedLag,
        Range watermarkDelaySeconds,
        double lagSlopePerSecond,
        long valueBytes,
        long networkBytes,
        long kafkaLogBytes,
        CassandraGrowth cassandra,
        RawStorage raw,
        RollupLatencyProbe.Result latency,
        CpuReport cpu,
        Map<String, JfrProfile.Summary> profiles,
        String jobState,
        List<String> notes) {

    /** Process name of the JVM that runs the generator (and the benchmark's probes). */
    public static final String GENERATOR = "generator JVM";

    /** The processes that make up Vigil itself, without the load generator. */
    public static final List<String> PIPELINE =
            List.of("kafka", "cassandra", "flink-jobmanager", "flink-taskmanager-1");

    /**
     * The samples a process handled in the period: Kafka and the generator every acknowledged
     * sample, Flink and Cassandra every sample the job consumed. The same number when the pipeline
     * keeps up; when it falls behind, dividing the job's CPU by the samples Kafka took would make
     * it look cheaper than it is.
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
     * Whether the pipeline kept up: the generator delivered at least 97 % of the requested rate,
     * the live lag grew by less than 1 % of the rate per second over the period, and it ended below
     * ten seconds' worth of samples.
     */
    public boolean sustained() {
        return ackedRate() >= 0.97 * requestedRate
                && lagSlopePerSecond < 0.01 * requestedRate
                && pendingLag.end() < 10 * requestedRate;
    }

    public Percentiles latencyPercentiles() {
        return new Percentiles(latency.latenciesMillis());
    }

    /** A quantity at the start and end of the period, and its maximum in between. */
    public record Range(double start, double end, double max) {}

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
