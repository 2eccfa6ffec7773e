package io.vigil.schemas;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Reading and writing {@link MetricBatch}es, the value of {@code vigil.metrics.samples}: one record
 * per host (or target) and collection, its shared labels once.
 *
 * <pre>{@code
 * MetricBatch batch = MetricBatches.builder(Map.of("host", "web-1", "dc", "dc1"), now)
 *         .add("node_load1", 0.42)
 *         .add("node_cpu_seconds_total", Map.of("cpu", "0", "mode", "idle"), 1234.5)
 *         .build();
 * long key = MetricBatches.originId(batch);            // the Kafka key: a host stays on one partition
 * long[] series = MetricBatches.seriesIds(batch);       // one per sample
 * }</pre>
 *
 * <p>A sample's series is its name plus the union of the batch's labels and its own; its time is
 * the batch's timestamp plus its offset. A per-sample {@link MetricSample}, the topic's value type
 * before batches, reads as a batch of one ({@link #of(MetricSample)}).
 */
public final class MetricBatches {
    private MetricBatches() {}

    /** A legacy sample as a batch of one: its labels shared, the sample at offset 0. */
    public static MetricBatch of(MetricSample sample) {
        List<BatchSample> samples = new ArrayList<>(1);
        samples.add(new BatchSample(sample.getName(), new HashMap<>(0), sample.getValue(), 0L));
        return new MetricBatch(sample.getLabels(), sample.getTimestamp(), samples);
    }

    /** Starts a batch of the origin with these labels, collected at {@code timestamp}. */
    public static Builder builder(Map<String, String> labels, long timestamp) {
        return new Builder(labels, timestamp);
    }

    /**
     * The id of the batch's origin: a hash of its {@code host} label, or of all its shared labels
     * where it has none. The Kafka key of batches and the key jobs group a host's series by.
     */
    public static long originId(MetricBatch batch) {
        Map<String, String> labels = batch.getLabels();
        String host = labels.get(Labels.HOST);
        return host != null
                ? SeriesIds.of(Labels.HOST, Labels.HOST, host)
                : SeriesIds.of("", labels);
    }

    /** The event time of sample {@code i}, ms since the epoch. */
    public static long timestamp(MetricBatch batch, int i) {
        return batch.getTimestamp() + batch.getSamples().get(i).getOffset();
    }

    /**
     * The series id of every sample, in order. The shared labels are sorted once per batch, not
     * once per sample.
     */
    public static long[] seriesIds(MetricBatch batch) {
        List<BatchSample> samples = batch.getSamples();
        long[] ids = new long[samples.size()];
        SortedMap<String, String> shared = new TreeMap<>(batch.getLabels());
        for (int i = 0; i < ids.length; i++) {
            BatchSample sample = samples.get(i);
            ids[i] =
                    sample.getLabels().isEmpty()
                            ? SeriesIds.of(sample.getName(), shared)
                            : SeriesIds.of(sample.getName(), labels(shared, sample));
        }
        return ids;
    }

    /** All labels of sample {@code i}: the batch's and its own. */
    public static Map<String, String> labels(MetricBatch batch, int i) {
        BatchSample sample = batch.getSamples().get(i);
        return sample.getLabels().isEmpty() ? batch.getLabels() : labels(batch.getLabels(), sample);
    }

    private static Map<String, String> labels(Map<String, String> shared, BatchSample sample) {
        SortedMap<String, String> all = new TreeMap<>(shared);
        all.putAll(sample.getLabels());
        return all;
    }

    /** Sample {@code i} as a stand-alone record: for dead letters and per-sample consumers. */
    public static MetricSample sample(MetricBatch batch, int i) {
        BatchSample sample = batch.getSamples().get(i);
        return new MetricSample(
                sample.getName(),
                new HashMap<>(labels(batch, i)),
                sample.getValue(),
                timestamp(batch, i));
    }

    /** The same batch with only the samples at the given indexes, in order. */
    public static MetricBatch keep(MetricBatch batch, int[] indexes, int count) {
        List<BatchSample> kept = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            kept.add(batch.getSamples().get(indexes[i]));
        }
        return new MetricBatch(batch.getLabels(), batch.getTimestamp(), kept);
    }

    /** Collects the samples of one batch; see {@link MetricBatches#builder}. */
    public static final class Builder {
        private final Map<String, String> labels;
        private final long timestamp;
        private final List<BatchSample> samples = new ArrayList<>();

        private Builder(Map<String, String> labels, long timestamp) {
            this.labels = new HashMap<>(labels);
            this.timestamp = timestamp;
        }

        /** A sample with no labels of its own, observed at the batch's time. */
        public Builder add(String name, double value) {
            return add(name, Map.of(), value, timestamp);
        }

        /** A sample with labels of its own, observed at the batch's time. */
        public Builder add(String name, Map<String, String> ownLabels, double value) {
            return add(name, ownLabels, value, timestamp);
        }

        /** A sample observed at its own time (stored as an offset from the batch's). */
        public Builder add(String name, Map<String, String> ownLabels, double value, long at) {
            samples.add(new BatchSample(name, new HashMap<>(ownLabels), value, at - timestamp));
            return this;
        }

        /** How many samples were added. */
        public int size() {
            return samples.size();
        }

        public MetricBatch build() {
            return new MetricBatch(labels, timestamp, new ArrayList<>(samples));
        }
    }
}
