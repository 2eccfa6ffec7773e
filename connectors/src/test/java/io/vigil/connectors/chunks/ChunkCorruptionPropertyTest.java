package io.vigil.connectors.chunks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Bad bytes only ever fail with {@link ChunkFormatException}: a query service must be able to skip
 * a corrupt chunk without catching {@code RuntimeException}. Termination needs no timing test: the
 * decoder checks the sample count against the input length before decoding, and every sample
 * consumes at least two bits.
 */
class ChunkCorruptionPropertyTest {

    @Property
    void everyShorterPrefixOfAChunkIsRejected(
            @ForAll("series") Series series, @ForAll @IntRange(min = 0) int cut) {
        byte[] encoded = series.encode();
        // Stronger than "decodes or fails cleanly": the last byte always holds at least one bit
        // of data (padding is under a byte), so every shorter prefix has lost data and must fail.
        byte[] prefix = Arrays.copyOf(encoded, cut % encoded.length);

        assertThatThrownBy(() -> Chunk.decode(prefix)).isInstanceOf(ChunkFormatException.class);
    }

    @Property
    void flippedBytesDecodeOrFailCleanly(
            @ForAll("series") Series series, @ForAll("flips") List<Tuple2<Integer, Byte>> flips) {
        byte[] corrupt = series.encode();
        for (Tuple2<Integer, Byte> flip : flips) {
            corrupt[flip.get1() % corrupt.length] ^= flip.get2();
        }

        assertDecodesOrFailsCleanly(corrupt);
    }

    @Property
    void appendedBytesAreRejected(
            @ForAll("series") Series series, @ForAll @Size(min = 1, max = 8) byte[] garbage) {
        byte[] encoded = series.encode();
        byte[] extended = Arrays.copyOf(encoded, encoded.length + garbage.length);
        System.arraycopy(garbage, 0, extended, encoded.length, garbage.length);

        assertThatThrownBy(() -> Chunk.decode(extended)).isInstanceOf(ChunkFormatException.class);
    }

    @Property
    void randomBytesDecodeOrFailCleanly(@ForAll @Size(max = 64) byte[] bytes) {
        assertDecodesOrFailsCleanly(bytes);
    }

    @Property
    void randomSamplesBehindAValidHeaderDecodeOrFailCleanly(
            @ForAll @IntRange(max = 300) int count, @ForAll @Size(max = 300) byte[] samples) {
        byte[] header = {(byte) ChunkFormat.VERSION_XOR, 0, 0};
        int headerLength = ChunkFormat.writeVarint(header, 1, count);
        byte[] bytes = Arrays.copyOf(header, headerLength + samples.length);
        System.arraycopy(samples, 0, bytes, headerLength, samples.length);

        assertDecodesOrFailsCleanly(bytes);
    }

    @Property
    void randomSamplesBehindAValidDecimalHeaderDecodeOrFailCleanly(
            @ForAll @IntRange(max = 300) int count,
            @ForAll @IntRange(max = ChunkFormat.MAX_SCALE) int scale,
            @ForAll @IntRange(min = 1, max = 127) int step,
            @ForAll @Size(max = 300) byte[] samples) {
        byte[] header = new byte[1 + ChunkFormat.MAX_VARINT_BYTES + 2];
        header[0] = (byte) ChunkFormat.VERSION_DECIMAL;
        int offset = ChunkFormat.writeVarint(header, 1, count);
        header[offset++] = (byte) scale;
        header[offset++] = (byte) step;
        byte[] bytes = Arrays.copyOf(header, offset + samples.length);
        System.arraycopy(samples, 0, bytes, offset, samples.length);

        assertDecodesOrFailsCleanly(bytes);
    }

    /** Flips: positions (taken modulo the length) and non-zero XOR masks. */
    @Provide
    Arbitrary<List<Tuple2<Integer, Byte>>> flips() {
        Arbitrary<Integer> positions = Arbitraries.integers().greaterOrEqual(0);
        Arbitrary<Byte> masks = Arbitraries.bytes().filter(mask -> mask != 0);
        return Combinators.combine(positions, masks).as(Tuple::of).list().ofMinSize(1).ofMaxSize(8);
    }

    @Provide
    Arbitrary<Series> series() {
        return SeriesArbitraries.series();
    }

    private static void assertDecodesOrFailsCleanly(byte[] bytes) {
        Throwable whole = catchThrowable(() -> Chunk.decode(bytes));
        if (whole != null) {
            assertThat(whole).isInstanceOf(ChunkFormatException.class);
        }
        Throwable streamed = catchThrowable(() -> drain(bytes));
        if (streamed != null) {
            assertThat(streamed).isInstanceOf(ChunkFormatException.class);
        }
        // Both paths run the same checks, so they agree on what is corrupt.
        assertThat(streamed == null).isEqualTo(whole == null);
    }

    private static void drain(byte[] bytes) {
        ChunkDecoder decoder = ChunkDecoder.open(bytes);
        while (decoder.advance()) {
            decoder.timestamp();
            decoder.value();
        }
    }
}
