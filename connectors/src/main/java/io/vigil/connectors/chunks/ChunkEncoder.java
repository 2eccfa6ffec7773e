package io.vigil.connectors.chunks;

/**
 * Compresses the raw samples of one series into a chunk, Gorilla style: timestamps as
 * delta-of-deltas, values as XORs with the previous value. The format is described in the package
 * documentation; {@link Chunk#decode} and {@link ChunkDecoder} read it back, bit-exact.
 *
 * <pre>{@code
 * ChunkEncoder encoder = new ChunkEncoder();
 * encoder.append(1_700_000_000_000L, 0.42);
 * encoder.append(1_700_000_010_000L, 0.43);
 * byte[] bytes = encoder.toByteArray();   // store with count(), minValue(), maxValue()
 * }</pre>
 *
 * <p>Samples must come in non-decreasing timestamp order. Equal timestamps are encoded faithfully
 * (a delta of 0); dropping duplicates is the caller's business. The encoder keeps its statistics as
 * it goes, so that a chunk row's {@code count}, {@code min} and {@code max} columns come for free.
 * Not thread-safe.
 */
public final class ChunkEncoder {

    /** What a new window costs beyond its meaningful bits: leading zeros and length. */
    private static final int NEW_WINDOW_HEADER_BITS =
            ChunkFormat.LEADING_ZEROS_BITS + ChunkFormat.MEANINGFUL_LENGTH_BITS;

    /**
     * The encoded samples; the header is only added by {@link #toByteArray}, since the count grows.
     */
    private final BitWriter body = new BitWriter();

    private int count;
    private long firstTimestamp;
    private long lastTimestamp;

    /** The previous interval, wrapped mod 2^64; 0 before the second sample. */
    private long lastDelta;

    private long lastValueBits;

    /**
     * The leading and trailing zero counts of the last XOR written with the '11' control bits,
     * which a '10' may reuse; -1 until the first such XOR.
     */
    private int windowLeading = -1;

    private int windowTrailing;

    private double minValue = Double.NaN;
    private double maxValue = Double.NaN;

    /**
     * Appends a sample.
     *
     * @throws IllegalArgumentException if {@code timestampMillis} is before the last timestamp; the
     *     encoder is unchanged then and accepts further samples
     * @throws IllegalStateException if the chunk already holds {@link Integer#MAX_VALUE} samples
     */
    public void append(long timestampMillis, double value) {
        if (count > 0 && timestampMillis < lastTimestamp) {
            throw new IllegalArgumentException(
                    String.format(
                            "timestamps must not go backwards: %d after %d (sample %d of the"
                                    + " chunk)",
                            timestampMillis, lastTimestamp, count));
        }
        if (count == Integer.MAX_VALUE) {
            throw new IllegalStateException("a chunk holds at most Integer.MAX_VALUE samples");
        }
        long valueBits = Double.doubleToRawLongBits(value);
        if (count == 0) {
            body.writeBits(timestampMillis, Long.SIZE);
            body.writeBits(valueBits, Long.SIZE);
            firstTimestamp = timestampMillis;
        } else {
            // Plain (wrapping) long arithmetic on purpose: a delta between timestamps that are
            // far apart, e.g. Long.MIN_VALUE and Long.MAX_VALUE, overflows, and so may the
            // delta-of-delta. The decoder undoes both with the same wrapping additions, and
            // arithmetic mod 2^64 makes that exact for every pair of longs.
            long delta = timestampMillis - lastTimestamp;
            ChunkFormat.writeDeltaOfDelta(body, delta - lastDelta);
            lastDelta = delta;
            writeValue(valueBits ^ lastValueBits);
        }
        lastTimestamp = timestampMillis;
        lastValueBits = valueBits;
        updateMinMax(value);
        count++;
    }

    /** Number of samples appended. */
    public int count() {
        return count;
    }

    /**
     * The smallest value appended, ignoring NaNs; NaN if there is none (no samples, or NaNs only).
     * NaNs are skipped because a NaN sample (a failed scrape, a 0/0 ratio) would otherwise turn the
     * chunk's min column into NaN and hide the real range from queries that prune on it. -0.0
     * counts as smaller than 0.0, as in {@link Math#min}.
     */
    public double minValue() {
        return minValue;
    }

    /** The largest value appended, ignoring NaNs like {@link #minValue()}; 0.0 beats -0.0. */
    public double maxValue() {
        return maxValue;
    }

    /**
     * Timestamp of the first sample, the natural {@code chunk_start}.
     *
     * @throws IllegalStateException if no sample was appended, as every long is a valid timestamp
     *     and none can serve as a marker
     */
    public long firstTimestamp() {
        requireSamples();
        return firstTimestamp;
    }

    /**
     * Timestamp of the last sample.
     *
     * @throws IllegalStateException if no sample was appended
     */
    public long lastTimestamp() {
        requireSamples();
        return lastTimestamp;
    }

    /**
     * The exact length of {@link #toByteArray()} right now, without building it, e.g. for cutting
     * chunks at a size limit.
     */
    public int encodedBytes() {
        return 1 + ChunkFormat.varintLength(count) + body.byteLength();
    }

    /**
     * The chunk so far: header and samples. May be called any number of times; the encoder goes on
     * accepting samples, and the bytes after more appends are those of encoding all the samples at
     * once.
     */
    public byte[] toByteArray() {
        byte[] bytes = new byte[encodedBytes()];
        bytes[0] = (byte) ChunkFormat.VERSION;
        int bodyOffset = ChunkFormat.writeVarint(bytes, 1, count);
        body.copyTo(bytes, bodyOffset);
        return bytes;
    }

    /**
     * Writes a value as its XOR with the previous one: '0' if equal, else '10' and the XOR's bits
     * inside the current window of leading and trailing zeros, or '11', a new window and its bits.
     */
    private void writeValue(long xor) {
        if (xor == 0) {
            body.writeBit(false);
            return;
        }
        int leading = Math.min(Long.numberOfLeadingZeros(xor), ChunkFormat.MAX_LEADING_ZEROS);
        int trailing = Long.numberOfTrailingZeros(xor);
        int meaningful = Long.SIZE - leading - trailing;
        if (windowLeading >= 0 && leading >= windowLeading && trailing >= windowTrailing) {
            int windowBits = Long.SIZE - windowLeading - windowTrailing;
            // Unlike the paper, reuse the window only when that is not dearer than a new one:
            // one outlier would otherwise leave a wide window that every later small change
            // pays for.
            if (windowBits <= meaningful + NEW_WINDOW_HEADER_BITS) {
                body.writeBits(0b10, 2);
                body.writeBits(xor >>> windowTrailing, windowBits);
                return;
            }
        }
        body.writeBits(0b11, 2);
        body.writeBits(leading, ChunkFormat.LEADING_ZEROS_BITS);
        body.writeBits(meaningful - 1, ChunkFormat.MEANINGFUL_LENGTH_BITS);
        body.writeBits(xor >>> trailing, meaningful);
        windowLeading = leading;
        windowTrailing = trailing;
    }

    private void updateMinMax(double value) {
        if (Double.isNaN(value)) {
            return;
        }
        // Math.min and Math.max order -0.0 before 0.0; the NaN start is replaced by the first
        // non-NaN value explicitly, as Math.min would keep propagating it.
        minValue = Double.isNaN(minValue) ? value : Math.min(minValue, value);
        maxValue = Double.isNaN(maxValue) ? value : Math.max(maxValue, value);
    }

    private void requireSamples() {
        if (count == 0) {
            throw new IllegalStateException("the chunk has no samples yet");
        }
    }
}
