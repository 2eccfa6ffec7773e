package io.vigil.connectors.chunks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Every series the encoder accepts decodes to exactly the same samples, bit for bit, whichever
 * decoder is used and however the appends are interleaved with {@code toByteArray()}.
 */
class ChunkRoundTripPropertyTest {

    @Property
    void chunkDecodesToTheSamplesAppended(@ForAll("series") Series series) {
        Chunk chunk = Chunk.decode(series.encode());

        assertThat(chunk.size()).isEqualTo(series.size());
        assertThat(chunk.timestamps()).containsExactly(series.timestamps());
        assertThat(Series.rawBits(chunk.values())).containsExactly(series.valueBits());
    }

    @Property
    void streamingDecoderYieldsTheSamplesAppended(@ForAll("series") Series series) {
        ChunkDecoder decoder = ChunkDecoder.open(series.encode());
        List<Long> timestamps = new ArrayList<>();
        List<Long> valueBits = new ArrayList<>();
        while (decoder.advance()) {
            timestamps.add(decoder.timestamp());
            valueBits.add(Double.doubleToRawLongBits(decoder.value()));
        }

        assertThat(decoder.count()).isEqualTo(series.size());
        assertThat(timestamps).containsExactly(boxed(series.timestamps()));
        assertThat(valueBits).containsExactly(boxed(series.valueBits()));
        assertThat(decoder.advance()).isFalse();
    }

    @Property
    void encodingInStepsEqualsEncodingAllAtOnce(
            @ForAll("series") Series series,
            @ForAll @IntRange(max = SeriesArbitraries.MAX_SIZE) int splitAt) {
        int split = Math.min(splitAt, series.size());
        ChunkEncoder encoder = new ChunkEncoder();

        series.appendTo(encoder, 0, split);
        byte[] early = encoder.toByteArray();
        byte[] again = encoder.toByteArray();
        series.appendTo(encoder, split, series.size());

        assertThat(again).isEqualTo(early);
        assertThat(early).isEqualTo(series.prefix(split).encode());
        assertThat(encoder.toByteArray()).isEqualTo(series.encode());
    }

    @Property
    void statisticsMatchTheSamples(@ForAll("series") Series series) {
        ChunkEncoder encoder = series.encoder();

        assertThat(encoder.count()).isEqualTo(series.size());
        assertThat(encoder.encodedBytes()).isEqualTo(encoder.toByteArray().length);
        if (series.size() > 0) {
            assertThat(encoder.firstTimestamp()).isEqualTo(series.timestamps()[0]);
            assertThat(encoder.lastTimestamp()).isEqualTo(series.timestamps()[series.size() - 1]);
        }
        double[] numbers = Arrays.stream(series.values()).filter(v -> !Double.isNaN(v)).toArray();
        for (double v : numbers) {
            assertThat(Double.compare(encoder.minValue(), v)).isLessThanOrEqualTo(0);
            assertThat(Double.compare(encoder.maxValue(), v)).isGreaterThanOrEqualTo(0);
        }
        if (numbers.length == 0) {
            assertThat(encoder.minValue()).isNaN();
            assertThat(encoder.maxValue()).isNaN();
        } else {
            assertThat(numbers).contains(encoder.minValue(), encoder.maxValue());
        }
    }

    @Provide
    Arbitrary<Series> series() {
        return SeriesArbitraries.series();
    }

    private static Long[] boxed(long[] values) {
        return Arrays.stream(values).boxed().toArray(Long[]::new);
    }
}
