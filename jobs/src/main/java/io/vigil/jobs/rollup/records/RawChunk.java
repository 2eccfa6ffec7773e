package io.vigil.jobs.rollup.records;

import io.vigil.connectors.chunks.ChunkEncoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * The compressed raw samples of one series over (part of) one chunk interval: a row of {@code
 * samples_raw}. {@link #data} is a chunk of the codec in {@code io.vigil.connectors.chunks}; decode
 * it with {@code Chunk.decode(data)}.
 *
 * <p>A Flink POJO with its type information spelled out ({@link #TYPE}), so the labels map and the
 * bytes are serialised natively instead of falling back to Kryo. {@link #min} and {@link #max} are
 * NaN when every value is NaN (Flink's double serializer has no null).
 */
public class RawChunk {
    /** How Flink serialises raw chunks. */
    public static final TypeInformation<RawChunk> TYPE = Types.POJO(RawChunk.class, fields());

    private static Map<String, TypeInformation<?>> fields() {
        Map<String, TypeInformation<?>> fields = new HashMap<>();
        fields.put("seriesId", Types.LONG);
        fields.put("metric", Types.STRING);
        fields.put("labels", Types.MAP(Types.STRING, Types.STRING));
        fields.put("chunkStart", Types.LONG);
        fields.put("chunkEnd", Types.LONG);
        fields.put("count", Types.INT);
        fields.put("min", Types.DOUBLE);
        fields.put("max", Types.DOUBLE);
        fields.put("data", Types.PRIMITIVE_ARRAY(Types.BYTE));
        return fields;
    }

    /** Series id, see {@link io.vigil.schemas.SeriesIds}. */
    public long seriesId;

    public String metric;
    public Map<String, String> labels;

    /**
     * The row key within the series, ms since the epoch: the start of the chunk interval for the
     * first chunk of an interval, the timestamp of its first sample for any further chunk of an
     * overfull interval. Deterministic either way, so that a replay rewrites the same rows.
     */
    public long chunkStart;

    /** Timestamp of the chunk's last sample, ms since the epoch, inclusive. */
    public long chunkEnd;

    /** Number of samples in {@link #data}. */
    public int count;

    /** Smallest and largest value, NaNs ignored; NaN if all values are NaN. */
    public double min = Double.NaN;

    public double max = Double.NaN;

    /** The samples, sorted by timestamp and unique per timestamp, as {@code ChunkEncoder} bytes. */
    public byte[] data;

    /** For Flink's POJO serializer. */
    public RawChunk() {}

    public RawChunk(
            long seriesId,
            String metric,
            Map<String, String> labels,
            long chunkStart,
            long chunkEnd,
            int count,
            double min,
            double max,
            byte[] data) {
        this.seriesId = seriesId;
        this.metric = metric;
        this.labels = labels;
        this.chunkStart = chunkStart;
        this.chunkEnd = chunkEnd;
        this.count = count;
        this.min = min;
        this.max = max;
        this.data = data;
    }

    /** Equal in identity, row key and content, the chunk bytes compared byte for byte. */
    /**
     * The samples of one chunk interval of a series as chunks of at most {@code maxSamples}, in
     * time order: the first {@code maxSamples} samples, the next {@code maxSamples}, and so on.
     *
     * <p>The first chunk's {@code chunkStart} is {@code intervalStart}; a further chunk's is the
     * timestamp of its own first sample. Both are functions of the samples alone, so a replay
     * writes the same row keys, and they are distinct: later chunks start at strictly increasing
     * timestamps within the interval, after its start.
     *
     * @param samples the interval's samples, sorted, one per timestamp (as {@link SeriesBuffer}
     *     hands them out)
     * @param intervalStart start of the chunk interval the samples belong to, ms since the epoch
     */
    public static List<RawChunk> split(
            long seriesId,
            String metric,
            Map<String, String> labels,
            SeriesBuffer.Interval samples,
            long intervalStart,
            int maxSamples) {
        if (maxSamples < 1) {
            throw new IllegalArgumentException("maxSamples must be at least 1, was " + maxSamples);
        }
        long[] timestamps = samples.timestamps();
        double[] values = samples.values();
        List<RawChunk> chunks = new ArrayList<>((timestamps.length + maxSamples - 1) / maxSamples);
        for (int from = 0; from < timestamps.length; from += maxSamples) {
            int to = Math.min(from + maxSamples, timestamps.length);
            ChunkEncoder encoder = new ChunkEncoder();
            for (int i = from; i < to; i++) {
                encoder.append(timestamps[i], values[i]);
            }
            chunks.add(
                    new RawChunk(
                            seriesId,
                            metric,
                            labels,
                            from == 0 ? intervalStart : timestamps[from],
                            encoder.lastTimestamp(),
                            encoder.count(),
                            encoder.minValue(),
                            encoder.maxValue(),
                            encoder.toByteArray()));
        }
        return chunks;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RawChunk other)) {
            return false;
        }
        return seriesId == other.seriesId
                && chunkStart == other.chunkStart
                && chunkEnd == other.chunkEnd
                && count == other.count
                && Double.compare(min, other.min) == 0
                && Double.compare(max, other.max) == 0
                && Objects.equals(metric, other.metric)
                && Objects.equals(labels, other.labels)
                && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(seriesId, chunkStart);
    }

    @Override
    public String toString() {
        return String.format(
                "RawChunk{series=%s %s%s, start=%d, end=%d, count=%d, min=%s, max=%s, %d bytes}",
                seriesId,
                metric,
                labels,
                chunkStart,
                chunkEnd,
                count,
                min,
                max,
                data == null ? 0 : data.length);
    }
}
