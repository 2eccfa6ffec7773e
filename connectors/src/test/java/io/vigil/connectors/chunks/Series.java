package io.vigil.connectors.chunks;

import java.util.Arrays;

/**
 * The samples of one test series as parallel arrays, with helpers to encode them and to compare
 * values by their raw bits (NaN payloads and -0.0 included), which is what "round-trips" means.
 */
record Series(long[] timestamps, double[] values) {

    Series {
        if (timestamps.length != values.length) {
            throw new IllegalArgumentException(
                    String.format("%d timestamps but %d values", timestamps.length, values.length));
        }
    }

    int size() {
        return timestamps.length;
    }

    /** Appends the samples from {@code from} (inclusive) to {@code to} (exclusive). */
    void appendTo(ChunkEncoder encoder, int from, int to) {
        for (int i = from; i < to; i++) {
            encoder.append(timestamps[i], values[i]);
        }
    }

    ChunkEncoder encoder() {
        ChunkEncoder encoder = new ChunkEncoder();
        appendTo(encoder, 0, size());
        return encoder;
    }

    byte[] encode() {
        return encoder().toByteArray();
    }

    /** The first {@code size} samples. */
    Series prefix(int size) {
        return new Series(Arrays.copyOf(timestamps, size), Arrays.copyOf(values, size));
    }

    long[] valueBits() {
        return rawBits(values);
    }

    static long[] rawBits(double[] values) {
        return Arrays.stream(values).mapToLong(Double::doubleToRawLongBits).toArray();
    }

    @Override
    public String toString() {
        return String.format(
                "Series[timestamps=%s, valueBits=%s]",
                Arrays.toString(timestamps), Arrays.toString(valueBits()));
    }
}
