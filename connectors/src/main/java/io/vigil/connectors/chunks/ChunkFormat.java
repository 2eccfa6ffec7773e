package io.vigil.connectors.chunks;

/**
 * The constants of the chunk formats (version 1, XOR values, and version 2, scaled decimals) and
 * the stateless pieces that the encoder and the decoder share, so that both sides of every field
 * are written in one place. The formats themselves are described in the package documentation.
 */
final class ChunkFormat {

    /**
     * First byte of a chunk whose values are XOR-coded doubles. Decoders read it forever: stored
     * chunks are never rewritten.
     */
    static final int VERSION_XOR = 1;

    /** First byte of a chunk whose values are decimals, stored as integers times 10^-scale. */
    static final int VERSION_DECIMAL = 2;

    /**
     * The largest decimal scale, i.e. fraction digits. Exporters rarely print more than a dozen,
     * and values with more are rarely small enough for their unscaled integer to stay below 2^53;
     * their differences would be so wide that XOR coding wins anyway.
     */
    static final int MAX_SCALE = 12;

    /**
     * The largest magnitude of an unscaled value: below 2^53, every integer is an exact double, and
     * dividing it by an exact power of ten is one correctly rounded IEEE operation.
     */
    static final long MAX_UNSCALED = (1L << 53) - 1;

    /** The largest difference of two unscaled values, and so the largest step. */
    static final long MAX_STEP = 2 * MAX_UNSCALED;

    /** What {@link #unscaled} returns when there is no integer; not a valid unscaled value. */
    static final long NO_UNSCALED = Long.MIN_VALUE;

    /**
     * How far value * 10^k may be from m when value is m / 10^k rounded: the division and the
     * multiplication each err by up to 2^-53 relative, which for m near 2^53 makes almost 2.
     */
    private static final int MAX_PRODUCT_ERROR = 2;

    /** The integers around a rounded product that {@link #unscaled} tries, nearest first. */
    private static final int[] UNSCALED_OFFSETS = {0, -1, 1, -2, 2};

    /** 10^k for k = 0 .. {@link #MAX_SCALE}; all exact as {@code long} and as {@code double}. */
    private static final long[] POW10 = new long[MAX_SCALE + 1];

    static {
        POW10[0] = 1;
        for (int k = 1; k <= MAX_SCALE; k++) {
            POW10[k] = 10 * POW10[k - 1];
        }
    }

    /** The sample count, an {@code int}, as an unsigned LEB128 varint takes at most five bytes. */
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

    /** The widths of the timestamp buckets, in the order of their control bits. */
    private static final int[] DOD_BUCKET_BITS = {DOD_BITS_10, DOD_BITS_110, DOD_BITS_1110};

    /** Leading zeros of a value XOR are stored in 5 bits, so counts above 31 are capped. */
    static final int LEADING_ZEROS_BITS = 5;

    static final int MAX_LEADING_ZEROS = (1 << LEADING_ZEROS_BITS) - 1;

    /**
     * The number of meaningful bits, 1 to 64, is stored minus one in 6 bits: a non-zero XOR has at
     * least one meaningful bit, and 64 would not fit otherwise.
     */
    static final int MEANINGFUL_LENGTH_BITS = 6;

    // Unscaled decimal values are stored as the first one in 64 bits, then as their differences
    // divided by the chunk's step (the GCD of all differences), Q = (m(i) - m(i-1)) / step, in the
    // first bucket that holds Q. A gauge printed with a fixed number of decimals changes by a few
    // units of its last digit between scrapes when it moves slowly (load averages, temperatures,
    // queue lengths), by a few hundred when it is noisy at that resolution, and often not at all.
    // Deltas rather than delta-of-deltas: a gauge's next change does not follow its last one, so
    // a delta-of-delta is the difference of two independent changes and wider (measured on random
    // walks, noisy levels, process counts and memory in pages: 0.4 to 2 bits a sample dearer).
    // Only counters gain from delta-of-deltas, and little: 0.7 bits a sample on one growing by 0
    // to 100 a scrape.

    /** Width of the buckets after '10', '110', '1110', '11110' and '111110', for Q != 0. */
    private static final int[] DELTA_BUCKET_BITS = {
        // [-8, 7]: the last digit moving by a few units, e.g. a load average, process counts.
        4,
        // [-64, 63]: a noisy gauge at its printed resolution, e.g. 0.5 steps at 2 decimals.
        7,
        // [-512, 511]: three significant digits of noise.
        10,
        // [-8192, 8191]: a temperature in millidegrees with ±2 °C of noise.
        14,
        // [-2^23, 2^23): jumps, e.g. memory being allocated, in pages.
        24
        // '111111' + 64 bits: any difference.
    };

    private ChunkFormat() {}

    /**
     * Whether the decimal format can hold {@code value}: the smallest scale k in 0 .. {@link
     * #MAX_SCALE} at which {@code value} is exactly the double nearest to m / 10^k for an integer m
     * below 2^53, which {@link #unscaled} then returns; -1 if there is none. Accepts exactly the
     * doubles that parse from decimal text with at most k fraction digits whose digits, without the
     * point, form an integer below 2^53 (15 to 16 significant digits); -0.0, NaNs, infinities and
     * computed values like 0.1 + 0.2 get -1.
     */
    static int decimalScale(double value) {
        for (int k = 0; k <= MAX_SCALE; k++) {
            // The product only grows with k, so once it is too large (or NaN or infinite, which
            // fail this comparison too) no larger scale can work either.
            if (!(Math.abs(value * POW10[k]) <= MAX_UNSCALED + MAX_PRODUCT_ERROR)) {
                return -1;
            }
            if (unscaled(value, k) != NO_UNSCALED) {
                return k;
            }
        }
        return -1;
    }

    /**
     * The integer m below 2^53 whose m / 10^{@code scale} is {@code value}, checked bit for bit
     * with the division the decoder performs, so that a wrong guess can only cost compression;
     * {@link #NO_UNSCALED} if there is none.
     */
    static long unscaled(double value, int scale) {
        double scaled = value * POW10[scale];
        if (!(Math.abs(scaled) <= MAX_UNSCALED + MAX_PRODUCT_ERROR)) {
            return NO_UNSCALED;
        }
        long bits = Double.doubleToRawLongBits(value);
        long guess = Math.round(scaled);
        for (int offset : UNSCALED_OFFSETS) {
            long candidate = guess + offset;
            if (Math.abs(candidate) <= MAX_UNSCALED
                    && Double.doubleToRawLongBits(decimal(candidate, scale)) == bits) {
                return candidate;
            }
        }
        return NO_UNSCALED;
    }

    /**
     * {@code unscaled} (found at scale {@code from}) at the larger scale {@code to}; exact, or
     * {@link #NO_UNSCALED} if that is beyond {@link #MAX_UNSCALED}. The double {@link #decimal}
     * gives stays the same: the quotient of the two exact operands is the same rational number.
     */
    static long rescale(long unscaled, int from, int to) {
        long factor = POW10[to - from];
        if (Math.abs(unscaled) > MAX_UNSCALED / factor) {
            return NO_UNSCALED;
        }
        return unscaled * factor;
    }

    /** The value of {@code unscaled} * 10^-{@code scale}: one correctly rounded division. */
    static double decimal(long unscaled, int scale) {
        return (double) unscaled / POW10[scale];
    }

    /** Number of bytes {@link #writeVarint} needs for {@code value}. */
    static int varintLength(long value) {
        int length = 1;
        for (long rest = value >>> 7; rest != 0; rest >>>= 7) {
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
    static int writeVarint(byte[] target, int offset, long value) {
        long rest = value;
        while ((rest & ~0x7F) != 0) {
            target[offset++] = (byte) ((rest & 0x7F) | 0x80);
            rest >>>= 7;
        }
        target[offset++] = (byte) rest;
        return offset;
    }

    /** Reads a sample count written by {@link #writeVarint}, rejecting values beyond int. */
    static int readVarint(BitReader reader) {
        return (int) readVarint(reader, Integer.MAX_VALUE, "sample count");
    }

    /**
     * Reads a varint written by {@link #writeVarint}, rejecting values above {@code max} and
     * varints longer than the one of {@code max}.
     *
     * @param field what the varint is, for error messages
     */
    static long readVarint(BitReader reader, long max, String field) {
        int maxBytes = varintLength(max);
        long value = 0;
        for (int i = 0; i < maxBytes; i++) {
            int b = (int) reader.readBits(Byte.SIZE);
            // At most 9 bytes for a positive long, so the shift stays below 64.
            value |= (long) (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                if (value > max) {
                    throw new ChunkFormatException(
                            String.format("%s %d is out of range", field, value));
                }
                return value;
            }
        }
        throw new ChunkFormatException(
                String.format("%s varint is longer than %d bytes", field, maxBytes));
    }

    /**
     * Writes a delta-of-delta of timestamps in the smallest bucket that holds it.
     *
     * @param deltaOfDelta the wrapped (mod 2^64) difference of two wrapped deltas
     */
    static void writeDeltaOfDelta(BitWriter writer, long deltaOfDelta) {
        writeBucketed(writer, deltaOfDelta, DOD_BUCKET_BITS);
    }

    /** Reads a delta-of-delta written by {@link #writeDeltaOfDelta}. */
    static long readDeltaOfDelta(BitReader reader) {
        return readBucketed(reader, DOD_BUCKET_BITS);
    }

    /** Writes the difference of two unscaled decimal values, divided by the step. */
    static void writeDecimalDelta(BitWriter writer, long quotient) {
        writeBucketed(writer, quotient, DELTA_BUCKET_BITS);
    }

    /** Reads a quotient written by {@link #writeDecimalDelta}. */
    static long readDecimalDelta(BitReader reader) {
        return readBucketed(reader, DELTA_BUCKET_BITS);
    }

    /**
     * Writes {@code value} in the first bucket that holds it: '0' for 0; for bucket i of {@code
     * widths}, i + 1 one bits, a zero bit and the value in widths[i] bits; else as many one bits as
     * there are buckets plus one, and the value in 64 bits.
     */
    private static void writeBucketed(BitWriter writer, long value, int[] widths) {
        if (value == 0) {
            writer.writeBit(false);
            return;
        }
        for (int i = 0; i < widths.length; i++) {
            if (fitsSigned(value, widths[i])) {
                // i + 1 ones and a zero: the binary number 2^(i+2) - 2 in i + 2 bits.
                writer.writeBits((1L << (i + 2)) - 2, i + 2);
                writer.writeBits(value, widths[i]);
                return;
            }
        }
        writer.writeBits(-1L, widths.length + 1);
        writer.writeBits(value, Long.SIZE);
    }

    /** Reads a value written by {@link #writeBucketed} with the same {@code widths}. */
    private static long readBucketed(BitReader reader, int[] widths) {
        int ones = 0;
        while (ones <= widths.length && reader.readBit()) {
            ones++;
        }
        if (ones == 0) {
            return 0;
        }
        if (ones > widths.length) {
            return reader.readBits(Long.SIZE);
        }
        int width = widths[ones - 1];
        return signExtend(reader.readBits(width), width);
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
