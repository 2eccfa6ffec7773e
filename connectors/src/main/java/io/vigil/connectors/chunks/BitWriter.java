package io.vigil.connectors.chunks;

import java.util.Arrays;

/**
 * An append-only bit buffer: bits are packed most significant bit first (big-endian bit order) into
 * 64-bit words, so that {@link #copyTo} yields bytes in which the first written bit is the high bit
 * of the first byte.
 *
 * <p>Words rather than bytes because almost every write of the chunk encoder is 1 to 64 bits wide:
 * such a write touches at most two words instead of up to nine bytes.
 */
final class BitWriter {

    private static final int INITIAL_WORDS = 4;

    /** Written bits; bits beyond {@link #bitCount} are always zero, which gives zero padding. */
    private long[] words = new long[INITIAL_WORDS];

    private long bitCount;

    /** Appends one bit. */
    void writeBit(boolean bit) {
        writeBits(bit ? 1 : 0, 1);
    }

    /**
     * Appends the low {@code width} bits of {@code bits}, most significant first; higher bits of
     * {@code bits} are ignored, so callers may pass sign-extended values.
     *
     * @param width 0 to 64
     */
    void writeBits(long bits, int width) {
        if (width < 0 || width > Long.SIZE) {
            throw new IllegalArgumentException(
                    String.format("bit width must be in [0, 64], got %d", width));
        }
        if (width == 0) {
            return;
        }
        // (1L << 64) == 1 in Java, so the full-width case needs its own mask.
        long value = width == Long.SIZE ? bits : bits & ((1L << width) - 1);
        ensureCapacity(bitCount + width);
        int word = (int) (bitCount >>> 6);
        int free = Long.SIZE - (int) (bitCount & 63);
        if (width <= free) {
            words[word] |= value << (free - width);
        } else {
            // The value straddles two words: its high bits end this word, its low bits start
            // the next (spill is 1..63, so neither shift degenerates).
            int spill = width - free;
            words[word] |= value >>> spill;
            words[word + 1] = value << (Long.SIZE - spill);
        }
        bitCount += width;
    }

    /** Number of bits written so far. */
    long bitCount() {
        return bitCount;
    }

    /** Number of bytes {@link #copyTo} writes: the bits rounded up to whole bytes. */
    int byteLength() {
        return Math.toIntExact((bitCount + 7) >>> 3);
    }

    /**
     * Copies the written bits to {@code target} starting at {@code offset}, padding the last byte
     * with zero bits. Does not change this writer, so it can go on appending.
     */
    void copyTo(byte[] target, int offset) {
        int length = byteLength();
        for (int i = 0; i < length; i++) {
            int shift = 56 - ((i & 7) << 3);
            target[offset + i] = (byte) (words[i >>> 3] >>> shift);
        }
    }

    private void ensureCapacity(long bitsNeeded) {
        // One spare word, because a straddling write touches the word after the current one.
        long wordsNeeded = (bitsNeeded >>> 6) + 1;
        if (wordsNeeded <= words.length) {
            return;
        }
        long grown = Math.max(wordsNeeded, 2L * words.length);
        words = Arrays.copyOf(words, Math.toIntExact(grown));
    }
}
