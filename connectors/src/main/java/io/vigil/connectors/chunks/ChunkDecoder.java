package io.vigil.connectors.chunks;

import java.util.Objects;

/**
 * Streams the samples of an encoded chunk one at a time, without boxing or materialising arrays:
 *
 * <pre>{@code
 * ChunkDecoder samples = ChunkDecoder.open(bytes);
 * while (samples.advance()) {
 *     use(samples.timestamp(), samples.value());
 * }
 * }</pre>
 *
 * <p>Reads both formats, version 1 (XOR-coded values) and version 2 (scaled decimals); the version
 * byte decides. Bad input throws {@link ChunkFormatException}, either from {@link #open} (unknown
 * version, a sample count the bytes cannot possibly hold, a scale or step out of range) or from
 * {@link #advance} (truncated or corrupt samples, or garbage after the last one, which is checked
 * when the last sample is decoded). Decoding always ends: every sample consumes at least two bits
 * and the count is checked against the input's length before anything is decoded. Not thread-safe.
 */
public final class ChunkDecoder {

    private final BitReader reader;
    private final int count;

    /** The decimal scale of a version-2 chunk; -1 for version 1, whose values are XOR-coded. */
    private final int scale;

    /** The step of a version-2 chunk's unscaled values. */
    private final long step;

    /** The current unscaled value of a version-2 chunk. */
    private long unscaled;

    private int decoded;
    private long timestamp;
    private long delta;
    private long valueBits;

    /** Window of the last '11' value; -1 until the first, so that an early '10' is caught. */
    private int windowLeading = -1;

    private int windowTrailing;

    private ChunkDecoder(BitReader reader, int count, int scale, long step) {
        this.reader = reader;
        this.count = count;
        this.scale = scale;
        this.step = step;
    }

    /**
     * Reads the header of {@code encoded}; the samples are decoded by {@link #advance()}.
     *
     * @throws ChunkFormatException if the header is truncated, of an unknown version, claims more
     *     samples than the bytes can hold, or has a decimal scale or step out of range
     */
    public static ChunkDecoder open(byte[] encoded) {
        Objects.requireNonNull(encoded, "encoded");
        BitReader reader = new BitReader(encoded);
        int version = (int) reader.readBits(Byte.SIZE);
        if (version != ChunkFormat.VERSION_XOR && version != ChunkFormat.VERSION_DECIMAL) {
            throw new ChunkFormatException(
                    String.format(
                            "unsupported chunk format version %d (this decoder reads %d and %d)",
                            version, ChunkFormat.VERSION_XOR, ChunkFormat.VERSION_DECIMAL));
        }
        int count = ChunkFormat.readVarint(reader);
        int scale = -1;
        long step = 0;
        if (version == ChunkFormat.VERSION_DECIMAL) {
            scale = (int) reader.readBits(Byte.SIZE);
            if (scale > ChunkFormat.MAX_SCALE) {
                throw new ChunkFormatException(
                        String.format(
                                "decimal scale %d is out of range [0, %d]",
                                scale, ChunkFormat.MAX_SCALE));
            }
            step = ChunkFormat.readVarint(reader, ChunkFormat.MAX_STEP, "decimal step");
            if (step == 0) {
                throw new ChunkFormatException("decimal step 0 is out of range");
            }
        }
        // Checked up front so that a corrupt count can neither make Chunk allocate huge arrays
        // nor send a caller into a long loop before the input runs out.
        long minBits =
                count == 0
                        ? 0
                        : ChunkFormat.FIRST_SAMPLE_BITS
                                + (long) ChunkFormat.MIN_SAMPLE_BITS * (count - 1);
        if (reader.remainingBits() < minBits) {
            throw new ChunkFormatException(
                    String.format(
                            "chunk header claims %d samples, which need at least %d bits, but"
                                    + " only %d follow",
                            count, minBits, reader.remainingBits()));
        }
        ChunkDecoder decoder = new ChunkDecoder(reader, count, scale, step);
        if (count == 0) {
            decoder.checkPadding();
        }
        return decoder;
    }

    /** Number of samples in the chunk, from its header. */
    public int count() {
        return count;
    }

    /**
     * Moves to the next sample.
     *
     * @return false, and stays put, once all samples were decoded
     * @throws ChunkFormatException if the sample is truncated or corrupt, or if bytes other than
     *     zero padding follow the last sample
     */
    public boolean advance() {
        if (decoded == count) {
            return false;
        }
        if (decoded == 0) {
            timestamp = reader.readBits(Long.SIZE);
        } else {
            // Wrapping additions, mirroring the encoder's wrapping subtractions exactly.
            delta += ChunkFormat.readDeltaOfDelta(reader);
            timestamp += delta;
        }
        if (scale >= 0) {
            readDecimal();
        } else if (decoded == 0) {
            valueBits = reader.readBits(Long.SIZE);
        } else {
            valueBits ^= readXor();
        }
        decoded++;
        if (decoded == count) {
            checkPadding();
        }
        return true;
    }

    /**
     * Timestamp of the current sample.
     *
     * @throws IllegalStateException before the first {@link #advance()}
     */
    public long timestamp() {
        requireCurrent();
        return timestamp;
    }

    /**
     * Value of the current sample, with the exact bits that were encoded (NaN payloads included).
     *
     * @throws IllegalStateException before the first {@link #advance()}
     */
    public double value() {
        requireCurrent();
        return Double.longBitsToDouble(valueBits);
    }

    /**
     * Reads the next unscaled value: the first in 64 bits, later ones as a quotient times the step.
     * Values beyond 2^53 are rejected, as the encoder never writes them; checking the quotient
     * first keeps the arithmetic free of overflow.
     */
    private void readDecimal() {
        if (decoded == 0) {
            unscaled = reader.readBits(Long.SIZE);
        } else {
            long quotient = ChunkFormat.readDecimalDelta(reader);
            long limit = ChunkFormat.MAX_STEP / step;
            if (quotient > limit || quotient < -limit) {
                throw corrupt(
                        String.format(
                                "a difference of %d steps of %d is out of range", quotient, step));
            }
            unscaled += quotient * step;
        }
        // Not Math.abs, which leaves Long.MIN_VALUE negative.
        if (unscaled > ChunkFormat.MAX_UNSCALED || unscaled < -ChunkFormat.MAX_UNSCALED) {
            throw corrupt(String.format("unscaled value %d is out of range", unscaled));
        }
        valueBits = Double.doubleToRawLongBits(ChunkFormat.decimal(unscaled, scale));
    }

    private long readXor() {
        if (!reader.readBit()) {
            return 0;
        }
        if (!reader.readBit()) {
            if (windowLeading < 0) {
                throw corrupt("a value reuses a window of meaningful bits before any was set");
            }
            int windowBits = Long.SIZE - windowLeading - windowTrailing;
            return reader.readBits(windowBits) << windowTrailing;
        }
        int leading = (int) reader.readBits(ChunkFormat.LEADING_ZEROS_BITS);
        int meaningful = (int) reader.readBits(ChunkFormat.MEANINGFUL_LENGTH_BITS) + 1;
        if (leading + meaningful > Long.SIZE) {
            throw corrupt(
                    String.format(
                            "%d leading zeros and %d meaningful bits exceed 64 bits",
                            leading, meaningful));
        }
        windowLeading = leading;
        windowTrailing = Long.SIZE - leading - meaningful;
        return reader.readBits(meaningful) << windowTrailing;
    }

    /** The encoder pads the last byte with zero bits and writes nothing after it. */
    private void checkPadding() {
        long left = reader.remainingBits();
        if (left >= Byte.SIZE || reader.readBits((int) left) != 0) {
            throw corrupt(
                    String.format(
                            "%d bits follow the last of %d samples; expected zero padding"
                                    + " within the last byte",
                            left, count));
        }
    }

    private ChunkFormatException corrupt(String reason) {
        return new ChunkFormatException(
                String.format(
                        "corrupt chunk at bit %d (sample %d of %d): %s",
                        reader.position(), decoded, count, reason));
    }

    private void requireCurrent() {
        if (decoded == 0) {
            throw new IllegalStateException("call advance() before reading a sample");
        }
    }
}
