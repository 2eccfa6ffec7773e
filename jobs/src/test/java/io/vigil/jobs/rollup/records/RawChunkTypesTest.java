package io.vigil.jobs.rollup.records;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * The raw-chunk types and the series buffers that hold raw samples in state travel and sit in state
 * as Flink POJOs, never through Kryo.
 */
class RawChunkTypesTest {
    private static final long T0 = 1_764_064_800_000L; // 2025-11-25T10:00:00Z
    private static final Map<String, String> WEB_1 = Map.of("host", "web-1");

    private static <T> T roundTrip(TypeSerializer<T> serializer, T value) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(value, out);
        return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }

    @Test
    void rawChunksArePojos() throws Exception {
        TypeSerializer<RawChunk> serializer =
                RawChunk.TYPE.createSerializer(new SerializerConfigImpl());
        SeriesBuffer buffer = new SeriesBuffer("cpu", WEB_1);
        buffer.add(T0 + 10_000, 0.25);
        buffer.add(T0, Double.NaN);
        RawChunk chunk =
                RawChunk.split(1L, "cpu", WEB_1, buffer.between(T0, T0 + 120_000), T0, 120).get(0);

        assertThat(serializer).isInstanceOf(PojoSerializer.class);
        assertThat(roundTrip(serializer, chunk)).isEqualTo(chunk);
    }

    @Test
    void seriesBuffersHaveTheirOwnSerializer() throws Exception {
        TypeSerializer<SeriesBuffer> serializer =
                SeriesBuffer.TYPE.createSerializer(new SerializerConfigImpl());
        SeriesBuffer series = new SeriesBuffer("requests_total", WEB_1);
        series.add(T0 + 10_000, 3.0);
        series.add(T0, Double.NaN);
        series.counterTimestamp = T0 - 5_000;
        series.counterValue = 2.0;

        assertThat(serializer).isInstanceOf(SeriesBufferSerializer.class);
        SeriesBuffer copy = roundTrip(serializer, series);
        assertThat(copy).isEqualTo(series);
        // Equality reads only the buffered samples; the copy must also keep appending.
        copy.add(T0 + 20_000, 4.0);
        assertThat(copy.between(T0, T0 + 30_000).timestamps())
                .containsExactly(T0, T0 + 10_000, T0 + 20_000);
    }
}
