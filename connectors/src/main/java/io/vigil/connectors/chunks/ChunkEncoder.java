package io.vigil.connectors.chunks;

import java.util.Arrays;

/**
 * Compresses the raw samples of one series into a chunk, Gorilla style: timestamps as
 * delta-of-deltas, values as XORs with the previous value (format version 1) or, when every value
 * is a decimal with at most 12 fraction digits and that is shorter, as differences of the integers
 * the decimals scale to (version 2). The formats are described in the package documentation; {@link
 * Chunk#decode} and {@link ChunkDecoder} read both back, bit-exact.
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
 * It also keeps the samples (about 30 bytes each), because the decimal format depends on all of
 * them: its scale is the largest any value needs, its step the GCD of all differences. Not
 * thread-safe.
 */
public final class ChunkEncoder {

    /** What a new window costs beyond its meaningful bits: leading zeros and length. */
    private static final int NEW_WINDOW_HEADER_BITS =
            ChunkFormat.LEADING_ZEROS_BITS + ChunkFormat.MEANINGFUL_LENGTH_BITS;

    /** Room for the samples of a 2-minute chunk at a 10 s scrape before the arrays grow. */
    private static final int INITIAL_CAPACITY = 16;

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

    // The samples, for the decimal format: each value's own smallest decimal scale and its
    // integer at that scale, rescaled to the chunk's scale only when the chunk is written.
    private long[] timestamps = new long[INITIAL_CAPACITY];
    private long[] valueBits = new long[INITIAL_CAPACITY];
    private long[] unscaled = new long[INITIAL_CAPACITY];
    private byte[] scales = new byte[INITIAL_CAPACITY];

    /** The largest scale of the values so far; -1 once a value is no decimal (NaN, -0.0, ...). */
    private int decimalScale;

    /** The version-2 chunk of the samples so far, or null if there is none; valid if current. */
    private byte[] decimalChunk;

    private boolean decimalChunkCurrent;

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
        keep(timestampMillis, value, valueBits);
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
     * The exact length of {@link #toByteArray()} right now, e.g. for cutting chunks at a size
     * limit. Builds the decimal encoding if samples were appended since it was last built, which
     * takes time linear in the count.
     */
    public int encodedBytes() {
        byte[] decimal = decimalChunk();
        return decimal != null && decimal.length < xorChunkBytes()
                ? decimal.length
                : xorChunkBytes();
    }

    /**
     * The chunk so far in format {@code version}, for tests that check the choice; null for version
     * 2 if the values are no decimals.
     */
    byte[] toByteArray(int version) {
        if (version == ChunkFormat.VERSION_DECIMAL) {
            byte[] decimal = decimalChunk();
            return decimal == null ? null : decimal.clone();
        }
        byte[] bytes = new byte[xorChunkBytes()];
        bytes[0] = (byte) ChunkFormat.VERSION_XOR;
        int bodyOffset = ChunkFormat.writeVarint(bytes, 1, count);
        body.copyTo(bytes, bodyOffset);
        return bytes;
    }

    /**
     * The chunk so far: header and samples, in the shorter of the two formats (version 1 on a tie,
     * so that chunks only change format for a gain). May be called any number of times; the encoder
     * goes on accepting samples, and the bytes after more appends are those of encoding all the
     * samples at once.
     */
    public byte[] toByteArray() {
        byte[] decimal = decimalChunk();
        boolean decimalIsShorter = decimal != null && decimal.length < xorChunkBytes();
        return toByteArray(
                decimalIsShorter ? ChunkFormat.VERSION_DECIMAL : ChunkFormat.VERSION_XOR);
    }

    private int xorChunkBytes() {
        return 1 + ChunkFormat.varintLength(count) + body.byteLength();
    }

    /**
     * Keeps a sample for the decimal format and updates the chunk's scale; the decimal chunk is
     * rebuilt on demand, since a new scale or step changes every value's code.
     */
    private void keep(long timestampMillis, double value, long bits) {
        if (count == timestamps.length) {
            int grown = count <= Integer.MAX_VALUE / 2 ? 2 * count : Integer.MAX_VALUE;
            timestamps = Arrays.copyOf(timestamps, grown);
            valueBits = Arrays.copyOf(valueBits, grown);
            unscaled = Arrays.copyOf(unscaled, grown);
            scales = Arrays.copyOf(scales, grown);
        }
        timestamps[count] = timestampMillis;
        valueBits[count] = bits;
        decimalChunkCurrent = false;
        if (decimalScale < 0) {
            return;
        }
        int scale = ChunkFormat.decimalScale(value);
        if (scale < 0) {
            decimalScale = -1;
            return;
        }
        scales[count] = (byte) scale;
        unscaled[count] = ChunkFormat.unscaled(value, scale);
        decimalScale = Math.max(decimalScale, scale);
    }

    private byte[] decimalChunk() {
        if (!decimalChunkCurrent) {
            decimalChunk = encodeDecimal();
            decimalChunkCurrent = true;
        }
        return decimalChunk;
    }

    /**
     * The samples as a version-2 chunk, or null if a value is no decimal or needs more than 53 bits
     * at the chunk's scale (e.g. 10^13 next to 0.001).
     */
    private byte[] encodeDecimal() {
        if (count == 0 || decimalScale < 0) {
            return null;
        }
        long[] values = new long[count];
        long step = 0;
        for (int i = 0; i < count; i++) {
            values[i] = ChunkFormat.rescale(unscaled[i], scales[i], decimalScale);
            if (values[i] == ChunkFormat.NO_UNSCALED) {
                return null;
            }
            // True by construction (see rescale), and checked with the decoder's own arithmetic
            // all the same: the decimal format must never change a single bit of a value.
            if (Double.doubleToRawLongBits(ChunkFormat.decimal(values[i], decimalScale))
                    != valueBits[i]) {
                return null;
            }
            if (i > 0) {
                step = gcd(step, values[i] - values[i - 1]);
            }
        }
        // A constant chunk has no differences; any step decodes it, 1 is the shortest.
        step = Math.max(step, 1);
        BitWriter decimalBody = new BitWriter();
        decimalBody.writeBits(timestamps[0], Long.SIZE);
        decimalBody.writeBits(values[0], Long.SIZE);
        long previousDelta = 0;
        for (int i = 1; i < count; i++) {
            // The timestamps exactly as in version 1, wrapping arithmetic included.
            long delta = timestamps[i] - timestamps[i - 1];
            ChunkFormat.writeDeltaOfDelta(decimalBody, delta - previousDelta);
            previousDelta = delta;
            ChunkFormat.writeDecimalDelta(decimalBody, (values[i] - values[i - 1]) / step);
        }
        byte[] bytes =
                new byte
                        [1
                                + ChunkFormat.varintLength(count)
                                + 1
                                + ChunkFormat.varintLength(step)
                                + decimalBody.byteLength()];
        bytes[0] = (byte) ChunkFormat.VERSION_DECIMAL;
        int offset = ChunkFormat.writeVarint(bytes, 1, count);
        bytes[offset++] = (byte) decimalScale;
        offset = ChunkFormat.writeVarint(bytes, offset, step);
        decimalBody.copyTo(bytes, offset);
        return bytes;
    }

    /** The greatest common divisor of |a| and |b|; both are differences below 2^54. */
    private static long gcd(long a, long b) {
        long x = Math.abs(a);
        long y = Math.abs(b);
        while (y != 0) {
            long rest = x % y;
            x = y;
            y = rest;
        }
        return x;
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
