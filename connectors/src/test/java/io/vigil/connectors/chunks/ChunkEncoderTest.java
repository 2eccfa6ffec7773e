package io.vigil.connectors.chunks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The encoder's contract: ordering, statistics, and exact round-trips of awkward samples. */
class ChunkEncoderTest {

    private static final long T0 = Instant.parse("2025-03-01T00:00:00Z").toEpochMilli();
    private static final long TEN_SECONDS_LATER = T0 + 10_000;
    private static final long ONE_MILLI_EARLIER = T0 - 1;

    private static final double NEGATIVE_QUIET_NAN =
            Double.longBitsToDouble(0xfff8_0000_0000_0000L);
    private static final double SIGNALLING_NAN = Double.longBitsToDouble(0x7ff0_0000_0000_0001L);
    private static final double NAN_WITH_FULL_PAYLOAD =
            Double.longBitsToDouble(0x7fff_ffff_ffff_ffffL);
    private static final double LARGEST_SUBNORMAL = Double.longBitsToDouble(0x000f_ffff_ffff_ffffL);

    @Test
    void emptyChunkIsJustAHeader() {
        ChunkEncoder encoder = new ChunkEncoder();

        assertThat(encoder.toByteArray()).containsExactly(ChunkFormat.VERSION_XOR, 0);
        assertThat(encoder.encodedBytes()).isEqualTo(2);
        assertThat(encoder.count()).isZero();
        assertThat(encoder.minValue()).isNaN();
        assertThat(encoder.maxValue()).isNaN();
        assertThat(Chunk.decode(encoder.toByteArray()).size()).isZero();
        assertThatThrownBy(encoder::firstTimestamp).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(encoder::lastTimestamp).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void rejectsTimestampsGoingBackwardsAndStaysUsable() {
        ChunkEncoder encoder = new ChunkEncoder();
        encoder.append(T0, 1.0);

        assertThatThrownBy(() -> encoder.append(ONE_MILLI_EARLIER, 2.0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not go backwards")
                .hasMessageContaining(Long.toString(ONE_MILLI_EARLIER))
                .hasMessageContaining(Long.toString(T0));

        encoder.append(TEN_SECONDS_LATER, 3.0);
        assertRoundTrips(
                encoder, new Series(new long[] {T0, TEN_SECONDS_LATER}, new double[] {1.0, 3.0}));
        assertThat(encoder.maxValue()).isEqualTo(3.0);
    }

    @Test
    void encodesEqualTimestamps() {
        assertRoundTrips(
                new Series(
                        new long[] {T0, T0, T0, TEN_SECONDS_LATER, TEN_SECONDS_LATER},
                        new double[] {1, 2, 2, 3, 4}));
    }

    @Test
    void tracksFirstAndLastTimestamp() {
        ChunkEncoder encoder = new ChunkEncoder();
        encoder.append(T0, 1.0);
        encoder.append(TEN_SECONDS_LATER, 1.0);

        assertThat(encoder.firstTimestamp()).isEqualTo(T0);
        assertThat(encoder.lastTimestamp()).isEqualTo(TEN_SECONDS_LATER);
    }

    @Test
    void minAndMaxIgnoreNaNs() {
        ChunkEncoder encoder = new ChunkEncoder();
        for (double value : new double[] {Double.NaN, 3.0, -2.0, SIGNALLING_NAN, 7.5, Double.NaN}) {
            encoder.append(T0, value);
        }

        assertThat(encoder.minValue()).isEqualTo(-2.0);
        assertThat(encoder.maxValue()).isEqualTo(7.5);
    }

    @Test
    void minAndMaxAreNaNWhenAllValuesAreNaN() {
        ChunkEncoder encoder = new ChunkEncoder();
        encoder.append(T0, Double.NaN);
        encoder.append(T0, NEGATIVE_QUIET_NAN);

        assertThat(encoder.minValue()).isNaN();
        assertThat(encoder.maxValue()).isNaN();
    }

    @Test
    void minAndMaxOrderNegativeZeroBeforeZeroAndKeepInfinities() {
        ChunkEncoder encoder = new ChunkEncoder();
        encoder.append(T0, 0.0);
        encoder.append(T0, -0.0);

        assertThat(Double.doubleToRawLongBits(encoder.minValue()))
                .isEqualTo(Double.doubleToRawLongBits(-0.0));
        assertThat(Double.doubleToRawLongBits(encoder.maxValue()))
                .isEqualTo(Double.doubleToRawLongBits(0.0));

        encoder.append(T0, Double.NEGATIVE_INFINITY);
        encoder.append(T0, Double.POSITIVE_INFINITY);
        assertThat(encoder.minValue()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(encoder.maxValue()).isEqualTo(Double.POSITIVE_INFINITY);
    }

    @Test
    void roundTripsSpecialValuesBitForBit() {
        double[] values = {
            Double.NaN,
            SIGNALLING_NAN,
            NEGATIVE_QUIET_NAN,
            NAN_WITH_FULL_PAYLOAD,
            Double.NaN,
            Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            0.0,
            -0.0,
            0.0,
            Double.MIN_VALUE,
            -Double.MIN_VALUE,
            LARGEST_SUBNORMAL,
            Double.MIN_NORMAL,
            Double.MAX_VALUE,
            -Double.MAX_VALUE,
            1.0,
            1.0,
        };
        long[] timestamps = new long[values.length];
        for (int i = 0; i < timestamps.length; i++) {
            timestamps[i] = T0 + i * 10_000L;
        }

        assertRoundTrips(new Series(timestamps, values));
    }

    @Test
    void storesAnXorWithAllSixtyFourBitsMeaningful() {
        // 0.0 then a value differing in the sign bit and the lowest bit: the XOR has no leading
        // or trailing zeros, so its length 64 is stored as 63 in the 6-bit field.
        double allBitsDiffer = Double.longBitsToDouble(0x8000_0000_0000_0001L);
        Series series = new Series(new long[] {T0, T0, T0}, new double[] {0.0, allBitsDiffer, 0.0});

        byte[] encoded = series.encode();

        // Header 2 bytes; first sample 128 bits; then twice '0' (same timestamp), '11', 5 bits
        // leading zeros, 6 bits length, 64 bits; the second XOR reuses that window as '10' + 64.
        long bits = 128 + (1 + 2 + 5 + 6 + 64) + (1 + 2 + 64);
        assertThat(encoded).hasSize(2 + (int) ((bits + 7) / 8));
        assertRoundTrips(series);
    }

    @Test
    void capsLeadingZerosAtThirtyOne() {
        // XOR 1 has 63 leading zeros, more than 5 bits hold: stored as 31 leading zeros and 33
        // meaningful bits.
        Series series =
                new Series(
                        new long[] {T0, TEN_SECONDS_LATER},
                        new double[] {0.0, Double.longBitsToDouble(1L)});

        assertRoundTrips(series);
    }

    @Test
    void roundTripsTimestampsAtTheEndsOfTheLongRange() {
        long min = Long.MIN_VALUE;
        long max = Long.MAX_VALUE;
        long[][] cases = {
            // A delta of 2^64 - 1, which wraps to -1 ...
            {min, max},
            // ... then back to 0: a delta-of-delta of 1 computed across the wrap.
            {min, max, max},
            {min, min, max, max},
            // Deltas of Long.MAX_VALUE then 1, whose delta-of-delta overflows.
            {min, -1, max},
            {0, max, max},
            {min, min + 1, max - 1, max},
            {max, max, max},
            {-1, 0, 1},
        };
        for (long[] timestamps : cases) {
            double[] values = new double[timestamps.length];
            assertRoundTrips(new Series(timestamps, values));
        }
    }

    @Test
    void encodesAPinnedLayout() {
        // Version 1, 3 samples; T 1_700_000_000_000 and 1.0 raw; then '1110' + 10000 in 18 bits
        // and '0' (same value); then '10' + 5 in 7 bits and '11', 12 leading zeros, length 1 - 1,
        // the single bit of 1.0 ^ 1.5; zero padding. Computed independently of this code.
        long t = 1_700_000_000_000L;
        Series series =
                new Series(new long[] {t, t + 10_000, t + 20_005}, new double[] {1.0, 1.0, 1.5});

        assertThat(HexFormat.of().formatHex(series.encode()))
                .isEqualTo("01030000018bcfe568003ff0000000000000e09c4105d804");
    }

    @Test
    void encodesAPinnedDecimalLayout() {
        // Version 2, 3 samples, scale 2, step 3 (the GCD of the differences 0 and 3); T and 3742
        // in 64 bits; then '1110' + 10000 in 18 bits and '0' (same value); then '10' + 5 in 7
        // bits and '10' + 1 step in 4 bits; zero padding. Computed independently of this code.
        long t = 1_700_000_000_000L;
        Series series =
                new Series(
                        new long[] {t, t + 10_000, t + 20_005}, new double[] {37.42, 37.42, 37.45});

        assertThat(HexFormat.of().formatHex(series.encode()))
                .isEqualTo("020302030000018bcfe568000000000000000e9ee09c410584");
        assertRoundTrips(series);
    }

    @Test
    void writesDecimalsWithTheLargestScaleAnyValueNeeds() {
        // 2 needs no decimals, 2.5 one, 2.25 two: all are stored as hundredths, 200, 250, 225.
        Series series = new Series(new long[] {T0, T0, T0, T0}, new double[] {2, 2.5, 2.25, 2.25});

        byte[] encoded = series.encode();

        assertThat(encoded[0]).isEqualTo((byte) ChunkFormat.VERSION_DECIMAL);
        assertThat(encoded[2]).isEqualTo((byte) 2);
        // The step is the GCD of 50 and -25.
        assertThat(encoded[3]).isEqualTo((byte) 25);
        assertRoundTrips(series);
    }

    @Test
    void fallsBackToXorWhenOneValueIsNoDecimal() {
        for (double odd : new double[] {-0.0, Double.NaN, 0.1 + 0.2, Double.MIN_VALUE}) {
            double[] values = new double[100];
            long[] timestamps = new long[100];
            for (int i = 0; i < values.length; i++) {
                values[i] = i == 50 ? odd : 37 + i / 100.0;
                timestamps[i] = T0 + i * 10_000L;
            }
            Series series = new Series(timestamps, values);

            assertThat(series.encode()[0]).isEqualTo((byte) ChunkFormat.VERSION_XOR);
            assertRoundTrips(series);
        }
    }

    @Test
    void fallsBackToXorWhenTheScaledIntegersGetTooLarge() {
        // Each is a decimal, but 10^13 at the 3 decimals of 0.001 is 10^16, beyond 2^53.
        Series series = new Series(new long[] {T0, T0}, new double[] {1e13, 0.001});

        assertThat(series.encoder().toByteArray(ChunkFormat.VERSION_DECIMAL)).isNull();
        assertRoundTrips(series);
    }

    @Test
    void encodedBytesFollowsTheFormatChoice() {
        ChunkEncoder encoder = new ChunkEncoder();
        for (int i = 0; i < 50; i++) {
            encoder.append(T0 + i * 10_000L, 20 + i / 100.0);
            assertThat(encoder.encodedBytes()).isEqualTo(encoder.toByteArray().length);
        }
        assertThat(encoder.toByteArray()[0]).isEqualTo((byte) ChunkFormat.VERSION_DECIMAL);

        encoder.append(T0 + 500_000, Math.PI);

        assertThat(encoder.toByteArray()[0]).isEqualTo((byte) ChunkFormat.VERSION_XOR);
        assertThat(encoder.encodedBytes()).isEqualTo(encoder.toByteArray().length);
    }

    private static void assertRoundTrips(Series series) {
        assertRoundTrips(series.encoder(), series);
    }

    private static void assertRoundTrips(ChunkEncoder encoder, Series expected) {
        Chunk chunk = Chunk.decode(encoder.toByteArray());

        assertThat(chunk.timestamps()).containsExactly(expected.timestamps());
        assertThat(Series.rawBits(chunk.values())).containsExactly(expected.valueBits());
    }
}
