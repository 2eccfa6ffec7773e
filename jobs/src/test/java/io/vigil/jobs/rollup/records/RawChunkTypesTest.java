package io.vigil.jobs.rollup.records;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The raw-chunk types travel and sit in state as Flink POJOs, never through Kryo. */
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
        RawSampleBuffer buffer = new RawSampleBuffer();
        buffer.add("cpu", WEB_1, T0 + 10_000, 0.25);
        buffer.add("cpu", WEB_1, T0, Double.NaN);
        RawChunk chunk = buffer.toChunks(1L, T0, 120).get(0);

        assertThat(serializer).isInstanceOf(PojoSerializer.class);
        assertThat(roundTrip(serializer, chunk)).isEqualTo(chunk);
    }

    @Test
    void seriesIdentitiesArePojos() throws Exception {
        TypeSerializer<SeriesIdentity> serializer =
                SeriesIdentity.TYPE.createSerializer(new SerializerConfigImpl());
        SeriesIdentity series = new SeriesIdentity("cpu", WEB_1);

        assertThat(serializer).isInstanceOf(PojoSerializer.class);
        assertThat(roundTrip(serializer, series)).isEqualTo(series);
    }
}
