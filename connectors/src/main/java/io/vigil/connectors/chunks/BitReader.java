package io.vigil.connectors.chunks;

/**
 * Reads bits most significant first from a byte array written by {@link BitWriter}, through a
 * 64-bit buffer refilled a byte at a time.
 *
 * <p>Every read checks the bits that are left and throws {@link ChunkFormatException} when the
 * input ends early, so a truncated chunk can never surface as an index error or read past the end.
 */
final class BitReader {

    /** A refill leaves at least this many bits buffered unless the input ends first. */
    private static final int GUARANTEED_AFTER_REFILL = 57;

    private final byte[] data;

    /** Index of the next byte to move into {@link #buffer}. */
    private int nextByte;

    /** Unread bits, left-aligned; the bits below the {@link #bufferedBits} top ones are zero. */
    private long buffer;

    private int bufferedBits;

    BitReader(byte[] data) {
        this.data = data;
    }

    /** Bits not read yet. */
    long remainingBits() {
        return bufferedBits + 8L * (data.length - nextByte);
    }

    /** Bits read so far, for error messages. */
    long position() {
        return 8L * nextByte - bufferedBits;
    }

    /** Reads one bit. */
    boolean readBit() {
        if (bufferedBits == 0) {
            refill();
            requireBuffered(1);
        }
        // The buffer is left-aligned, so the next bit is the sign bit.
        boolean bit = buffer < 0;
        buffer <<= 1;
        bufferedBits--;
        return bit;
    }

    /**
     * Reads {@code width} bits as an unsigned number in the low bits of the result.
     *
     * @param width 0 to 64
     */
    long readBits(int width) {
        if (width < 0 || width > Long.SIZE) {
            throw new IllegalArgumentException(
                    String.format("bit width must be in [0, 64], got %d", width));
        }
        if (width == 0) {
            return 0;
        }
        if (width >= GUARANTEED_AFTER_REFILL) {
            // A refill cannot promise this many bits, so read in two halves; checking first
            // keeps the error message about the whole read.
            if (remainingBits() < width) {
                throw truncated(width);
            }
            int high = width - 32;
            return (readBits(high) << 32) | readBits(32);
        }
        if (bufferedBits < width) {
            refill();
            requireBuffered(width);
        }
        long value = buffer >>> (Long.SIZE - width);
        buffer <<= width;
        bufferedBits -= width;
        return value;
    }

    private void refill() {
        while (bufferedBits <= Long.SIZE - Byte.SIZE && nextByte < data.length) {
            buffer |= (data[nextByte++] & 0xFFL) << (Long.SIZE - Byte.SIZE - bufferedBits);
            bufferedBits += Byte.SIZE;
        }
    }

    private void requireBuffered(int width) {
        if (bufferedBits < width) {
            throw truncated(width);
        }
    }

    private ChunkFormatException truncated(int width) {
        return new ChunkFormatException(
                String.format(
                        "chunk is truncated: needed %d bits at bit %d, but only %d remain",
                        width, position(), remainingBits()));
    }
}
