package io.vigil.connectors.chunks;

import java.util.Arrays;

/**
 * The decoded samples of one chunk, in the order they were appended: for readers that want the
 * whole chunk at once, e.g. to merge chunks or answer a range query. Immutable.
 *
 * <pre>{@code
 * Chunk chunk = Chunk.decode(bytes);
 * for (int i = 0; i < chunk.size(); i++) {
 *     use(chunk.timestamp(i), chunk.value(i));
 * }
 * }</pre>
 *
 * <p>Use {@link ChunkDecoder} to stream the samples instead.
 */
public final class Chunk {

    private final long[] timestamps;
    private final double[] values;

    private Chunk(long[] timestamps, double[] values) {
        this.timestamps = timestamps;
        this.values = values;
    }

    /**
     * Decodes a whole chunk written by {@link ChunkEncoder#toByteArray()}.
     *
     * @throws ChunkFormatException if {@code encoded} is not a valid chunk, including garbage after
     *     the last sample
     */
    public static Chunk decode(byte[] encoded) {
        ChunkDecoder decoder = ChunkDecoder.open(encoded);
        // Safe to allocate: open() checked that the bytes can hold this many samples.
        long[] timestamps = new long[decoder.count()];
        double[] values = new double[decoder.count()];
        for (int i = 0; decoder.advance(); i++) {
            timestamps[i] = decoder.timestamp();
            values[i] = decoder.value();
        }
        return new Chunk(timestamps, values);
    }

    /** Number of samples. */
    public int size() {
        return timestamps.length;
    }

    /** Timestamp of sample {@code index}, in milliseconds. */
    public long timestamp(int index) {
        return timestamps[index];
    }

    /** Value of sample {@code index}, bit for bit as appended. */
    public double value(int index) {
        return values[index];
    }

    /** A copy of all timestamps. */
    public long[] timestamps() {
        return timestamps.clone();
    }

    /** A copy of all values. */
    public double[] values() {
        return values.clone();
    }

    @Override
    public String toString() {
        return String.format(
                "Chunk[size=%d, timestamps=%s, values=%s]",
                size(), Arrays.toString(timestamps), Arrays.toString(values));
    }
}
