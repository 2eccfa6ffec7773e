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
 * <p>Bad input throws {@link ChunkFormatException}, either from {@link #open} (unknown version, a
 * sample count the bytes cannot possibly hold) or from {@link #advance} (truncated or corrupt
 * samples, or garbage after the last one, which is checked when the last sample is decoded).
 * Decoding always ends: every sample consumes at least two bits and the count is checked against
 * the input's length before anything is decoded. Not thread-safe.
 */
public final class ChunkDecoder {

    private final BitReader reader;
    private final int count;

    private int decoded;
    private long timestamp;
    private long delta;
    private long valueBits;

    /** Window of the last '11' value; -1 until the first, so that an early '10' is caught. */
    private int windowLeading = -1;

    private int windowTrailing;

    private ChunkDecoder(BitReader reader, int count) {
        this.reader = reader;
        this.count = count;
    }

    /**
     * Reads the header of {@code encoded}; the samples are decoded by {@link #advance()}.
     *
     * @throws ChunkFormatException if the header is truncated, of an unknown version, or claims
     *     more samples than the bytes can hold
     */
    public static ChunkDecoder open(byte[] encoded) {
        Objects.requireNonNull(encoded, "encoded");
        BitReader reader = new BitReader(encoded);
        int version = (int) reader.readBits(Byte.SIZE);
        if (version != ChunkFormat.VERSION) {
            throw new ChunkFormatException(
                    String.format(
                            "unsupported chunk format version %d (this decoder reads %d)",
                            version, ChunkFormat.VERSION));
        }
        int count = ChunkFormat.readVarint(reader);
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
        ChunkDecoder decoder = new ChunkDecoder(reader, count);
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
            valueBits = reader.readBits(Long.SIZE);
        } else {
            // Wrapping additions, mirroring the encoder's wrapping subtractions exactly.
            delta += ChunkFormat.readDeltaOfDelta(reader);
            timestamp += delta;
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
