package io.vigil.connectors.chunks;

/**
 * The constants of the chunk format (version 1) and the stateless pieces that the encoder and the
 * decoder share, so that both sides of every field are written in one place. The format itself is
 * described in the package documentation.
 */
final class ChunkFormat {

    /** First byte of every chunk; bump it for any change a version-1 decoder cannot read. */
    static final int VERSION = 1;

    /** An unsigned LEB128 varint of an {@code int} takes at most five bytes. */
    static final int MAX_VARINT_BYTES = 5;

    /** The first sample: its timestamp and its value, both as 64 raw bits. */
    static final int FIRST_SAMPLE_BITS = 2 * Long.SIZE;

    /** Every later sample costs at least a '0' for its timestamp and a '0' for its value. */
    static final int MIN_SAMPLE_BITS = 2;

    // Timestamps are stored as delta-of-deltas in milliseconds. For a scraper on a fixed 10 s,
    // 15 s or 60 s interval that is just the change of its jitter (jitter of ±j gives values up
    // to ±4j), so the buckets are sized for jitter, not for the paper's seconds. Anything larger
    // than the 18-bit bucket goes after '1111' as 64 bits, so that every delta round-trips.

    /** Width after '10': [-64, 63] ms, a few milliseconds of scheduling noise, the common case. */
    static final int DOD_BITS_10 = 7;

    /** Width after '110': [-512, 511] ms, jitter up to about ±125 ms. */
    static final int DOD_BITS_110 = 10;

    /**
     * Width after '1110': [-131072, 131071] ms, about ±2 min: a missed scrape, a changed interval,
     * and the first delta of each chunk (taken against 0) for intervals up to 2 min.
     */
    static final int DOD_BITS_1110 = 18;

    /** Leading zeros of a value XOR are stored in 5 bits, so counts above 31 are capped. */
    static final int LEADING_ZEROS_BITS = 5;

    static final int MAX_LEADING_ZEROS = (1 << LEADING_ZEROS_BITS) - 1;

    /**
     * The number of meaningful bits, 1 to 64, is stored minus one in 6 bits: a non-zero XOR has at
     * least one meaningful bit, and 64 would not fit otherwise.
     */
    static final int MEANINGFUL_LENGTH_BITS = 6;

    private ChunkFormat() {}

    /** Number of bytes {@link #writeVarint} needs for {@code value}. */
    static int varintLength(int value) {
        int length = 1;
        for (int rest = value >>> 7; rest != 0; rest >>>= 7) {
            length++;
        }
        return length;
    }

    /**
     * Writes {@code value} as an unsigned LEB128 varint: 7 bits per byte, least significant group
     * first, the high bit set on every byte but the last.
     *
     * @return the offset after the varint
     */
    static int writeVarint(byte[] target, int offset, int value) {
        int rest = value;
        while ((rest & ~0x7F) != 0) {
            target[offset++] = (byte) ((rest & 0x7F) | 0x80);
            rest >>>= 7;
        }
        target[offset++] = (byte) rest;
        return offset;
    }

    /** Reads a varint written by {@link #writeVarint}, rejecting values beyond {@code int}. */
    static int readVarint(BitReader reader) {
        long value = 0;
        for (int i = 0; i < MAX_VARINT_BYTES; i++) {
            int b = (int) reader.readBits(Byte.SIZE);
            value |= (long) (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                if (value > Integer.MAX_VALUE) {
                    throw new ChunkFormatException(
                            String.format("sample count %d is out of range", value));
                }
                return (int) value;
            }
        }
        throw new ChunkFormatException(
                String.format("sample count varint is longer than %d bytes", MAX_VARINT_BYTES));
    }

    /**
     * Writes a delta-of-delta of timestamps in the smallest bucket that holds it.
     *
     * @param deltaOfDelta the wrapped (mod 2^64) difference of two wrapped deltas
     */
    static void writeDeltaOfDelta(BitWriter writer, long deltaOfDelta) {
        if (deltaOfDelta == 0) {
            writer.writeBit(false);
        } else if (fitsSigned(deltaOfDelta, DOD_BITS_10)) {
            writer.writeBits(0b10, 2);
            writer.writeBits(deltaOfDelta, DOD_BITS_10);
        } else if (fitsSigned(deltaOfDelta, DOD_BITS_110)) {
            writer.writeBits(0b110, 3);
            writer.writeBits(deltaOfDelta, DOD_BITS_110);
        } else if (fitsSigned(deltaOfDelta, DOD_BITS_1110)) {
            writer.writeBits(0b1110, 4);
            writer.writeBits(deltaOfDelta, DOD_BITS_1110);
        } else {
            writer.writeBits(0b1111, 4);
            writer.writeBits(deltaOfDelta, Long.SIZE);
        }
    }

    /** Reads a delta-of-delta written by {@link #writeDeltaOfDelta}. */
    static long readDeltaOfDelta(BitReader reader) {
        if (!reader.readBit()) {
            return 0;
        }
        if (!reader.readBit()) {
            return signExtend(reader.readBits(DOD_BITS_10), DOD_BITS_10);
        }
        if (!reader.readBit()) {
            return signExtend(reader.readBits(DOD_BITS_110), DOD_BITS_110);
        }
        if (!reader.readBit()) {
            return signExtend(reader.readBits(DOD_BITS_1110), DOD_BITS_1110);
        }
        return reader.readBits(Long.SIZE);
    }

    /** Whether {@code value} fits a two's complement number of {@code width} bits (width < 64). */
    static boolean fitsSigned(long value, int width) {
        long limit = 1L << (width - 1);
        return value >= -limit && value < limit;
    }

    /** Widens the two's complement number in the low {@code width} bits (width < 64) to a long. */
    static long signExtend(long bits, int width) {
        int unused = Long.SIZE - width;
        return (bits << unused) >> unused;
    }
}
