package io.vigil.connectors.chunks;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The decimal format (version 2): which values it accepts, that decimal series round-trip through
 * it, and that the encoder writes whichever format is shorter.
 */
class ChunkDecimalPropertyTest {

    @Property
    void decimalTextIsFoundAtItsScaleOrASmallerOne(
            @ForAll("unscaled") long unscaled,
            @ForAll @IntRange(max = ChunkFormat.MAX_SCALE) int scale) {
        double value = ChunkFormat.decimal(unscaled, scale);
        // The text an exporter prints parses to the quotient the decoder computes.
        assertThat(Double.doubleToRawLongBits(SeriesArbitraries.parseDecimal(unscaled, scale)))
                .isEqualTo(Double.doubleToRawLongBits(value));
        if (Double.doubleToRawLongBits(value) == Double.doubleToRawLongBits(-0.0)) {
            return; // "-0" parses to -0.0, the one decimal the format cannot hold (0 has no sign)
        }

        int found = ChunkFormat.decimalScale(value);

        assertThat(found).isBetween(0, scale);
        long atFound = ChunkFormat.unscaled(value, found);
        assertThat(Double.doubleToRawLongBits(ChunkFormat.decimal(atFound, found)))
                .isEqualTo(Double.doubleToRawLongBits(value));
    }

    @Property
    void everyDoubleIsEitherNoDecimalOrAnExactOne(@ForAll("anyDouble") double value) {
        int scale = ChunkFormat.decimalScale(value);
        if (scale < 0) {
            return;
        }

        long unscaled = ChunkFormat.unscaled(value, scale);

        assertThat(Math.abs(unscaled)).isLessThanOrEqualTo(ChunkFormat.MAX_UNSCALED);
        assertThat(Double.doubleToRawLongBits(ChunkFormat.decimal(unscaled, scale)))
                .isEqualTo(Double.doubleToRawLongBits(value));
    }

    @Test
    void valuesTheDecimalFormatCannotHoldAreRejected() {
        for (double value :
                new double[] {
                    -0.0,
                    Double.NaN,
                    Double.POSITIVE_INFINITY,
                    Double.NEGATIVE_INFINITY,
                    Double.MIN_VALUE,
                    Double.MAX_VALUE,
                    0.1 + 0.2,
                    1.0 / 3,
                    Math.PI,
                    0x1p53,
                    1e-13
                }) {
            assertThat(ChunkFormat.decimalScale(value)).as("scale of %s", value).isEqualTo(-1);
        }
        assertThat(ChunkFormat.decimalScale(37.42)).isEqualTo(2);
        assertThat(ChunkFormat.decimalScale(-37.4)).isEqualTo(1);
        assertThat(ChunkFormat.decimalScale(0.0)).isZero();
        assertThat(ChunkFormat.decimalScale(1e-12)).isEqualTo(12);
        assertThat(ChunkFormat.decimalScale(0x1p53 - 1)).isZero();
    }

    @Property
    void decimalSeriesRoundTripInTheDecimalFormatWhenItIsShorter(
            @ForAll("decimalSeries") Series series) {
        ChunkEncoder encoder = series.encoder();
        byte[] decimal = encoder.toByteArray(ChunkFormat.VERSION_DECIMAL);
        byte[] xor = encoder.toByteArray(ChunkFormat.VERSION_XOR);

        // One scale for all values and integers below 2^53 always fit the decimal format.
        if (series.size() > 0) {
            assertThat(decimal).isNotNull();
            assertThat(decimal[0]).isEqualTo((byte) ChunkFormat.VERSION_DECIMAL);
            assertDecodesTo(decimal, series);
        }
        assertDecodesTo(xor, series);
        byte[] chosen = encoder.toByteArray();
        boolean decimalIsShorter = decimal != null && decimal.length < xor.length;
        assertThat(chosen).isEqualTo(decimalIsShorter ? decimal : xor);
        assertThat(encoder.encodedBytes()).isEqualTo(chosen.length);
    }

    @Property
    void everySeriesIsWrittenInTheShorterFormat(@ForAll("series") Series series) {
        ChunkEncoder encoder = series.encoder();
        byte[] decimal = encoder.toByteArray(ChunkFormat.VERSION_DECIMAL);
        byte[] xor = encoder.toByteArray(ChunkFormat.VERSION_XOR);

        byte[] chosen = encoder.toByteArray();

        assertThat(chosen.length).isLessThanOrEqualTo(xor.length);
        if (decimal != null) {
            assertThat(chosen.length).isLessThanOrEqualTo(decimal.length);
            assertDecodesTo(decimal, series);
        }
        // Version 1 on a tie: a format change must pay for itself.
        if (chosen[0] == ChunkFormat.VERSION_DECIMAL) {
            assertThat(chosen.length).isLessThan(xor.length);
        }
        assertDecodesTo(chosen, series);
    }

    @Property
    void oneValueThatIsNoDecimalKeepsTheChunkInVersionOne(
            @ForAll("decimalSeries") Series decimals,
            @ForAll("noDecimal") double odd,
            @ForAll @IntRange(min = 0) int position) {
        double[] values = decimals.values().clone();
        if (values.length == 0) {
            return;
        }
        values[position % values.length] = odd;
        Series series = new Series(decimals.timestamps(), values);
        ChunkEncoder encoder = series.encoder();

        assertThat(encoder.toByteArray(ChunkFormat.VERSION_DECIMAL)).isNull();
        assertThat(encoder.toByteArray()[0]).isEqualTo((byte) ChunkFormat.VERSION_XOR);
        assertDecodesTo(encoder.toByteArray(), series);
    }

    /** NaN payloads, infinities, -0.0, subnormals, and computed values. */
    @Provide
    Arbitrary<Double> noDecimal() {
        return Arbitraries.oneOf(
                        Arbitraries.longs().map(Double::longBitsToDouble),
                        Arbitraries.of(
                                Double.NaN,
                                Double.longBitsToDouble(0x7ff0_0000_0000_0001L),
                                Double.longBitsToDouble(0xfff8_0000_0000_0000L),
                                Double.POSITIVE_INFINITY,
                                Double.NEGATIVE_INFINITY,
                                -0.0,
                                Double.MIN_VALUE,
                                Double.longBitsToDouble(0x000f_ffff_ffff_ffffL),
                                0.1 + 0.2,
                                1.0 / 3))
                .filter(value -> ChunkFormat.decimalScale(value) < 0);
    }

    @Provide
    Arbitrary<Long> unscaled() {
        return Arbitraries.frequencyOf(
                Tuple.of(
                        1,
                        Arbitraries.of(
                                0L, 1L, -1L, ChunkFormat.MAX_UNSCALED, -ChunkFormat.MAX_UNSCALED)),
                Tuple.of(
                        4,
                        Arbitraries.longs()
                                .between(-ChunkFormat.MAX_UNSCALED, ChunkFormat.MAX_UNSCALED)),
                Tuple.of(4, Arbitraries.longs().between(-1_000_000, 1_000_000)));
    }

    /** Every bit pattern, plus decimals, which random bits almost never are. */
    @Provide
    Arbitrary<Double> anyDouble() {
        return Arbitraries.oneOf(
                Arbitraries.longs().map(Double::longBitsToDouble),
                Arbitraries.doubles().between(-1e6, 1e6).ofScale(3));
    }

    @Provide
    Arbitrary<Series> decimalSeries() {
        return SeriesArbitraries.decimalSeries();
    }

    @Provide
    Arbitrary<Series> series() {
        return SeriesArbitraries.series();
    }

    private static void assertDecodesTo(byte[] encoded, Series expected) {
        Chunk chunk = Chunk.decode(encoded);

        assertThat(chunk.timestamps()).containsExactly(expected.timestamps());
        assertThat(Series.rawBits(chunk.values())).containsExactly(expected.valueBits());
    }
}
