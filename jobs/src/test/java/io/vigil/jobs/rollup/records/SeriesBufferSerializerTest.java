package io.vigil.jobs.rollup.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * A series buffer comes back from its serializer as it went in, whatever its samples: any
 * timestamps in any order (deltas that overflow included), any value bits, an empty buffer, a
 * counter baseline; and the serializer's snapshot restores a compatible serializer.
 */
class SeriesBufferSerializerTest {
    private static final long T0 = 1_764_064_800_000L;

    /** One sample as it arrives. */
    record Arrival(long timestamp, double value) {}

    @Provide
    Arbitrary<SeriesBuffer> buffers() {
        Arbitrary<Long> timestamps =
                Arbitraries.oneOf(
                        Arbitraries.longs().between(T0 - 60_000, T0 + 180_000),
                        Arbitraries.longs(),
                        Arbitraries.of(Long.MIN_VALUE, Long.MAX_VALUE, 0L, -1L));
        Arbitrary<Double> values =
                Arbitraries.oneOf(
                        Arbitraries.longs().map(Double::longBitsToDouble),
                        Arbitraries.of(0.0, -0.0, Double.NaN, Double.NEGATIVE_INFINITY, 1.5));
        Arbitrary<List<Arrival>> arrivals =
                Combinators.combine(timestamps, values).as(Arrival::new).list().ofMaxSize(300);
        Arbitrary<Map<String, String>> labels =
                Arbitraries.maps(Arbitraries.strings().ofMaxLength(12), Arbitraries.strings())
                        .ofMaxSize(6);
        return Combinators.combine(
                        Arbitraries.strings().ofMaxLength(40),
                        labels,
                        arrivals,
                        Arbitraries.oneOf(
                                Arbitraries.longs(), Arbitraries.just(SeriesBuffer.NO_BASELINE)),
                        values)
                .as(
                        (metric, labelMap, samples, counterTimestamp, counterValue) -> {
                            SeriesBuffer buffer = new SeriesBuffer(metric, labelMap);
                            samples.forEach(s -> buffer.add(s.timestamp(), s.value()));
                            buffer.counterTimestamp = counterTimestamp;
                            buffer.counterValue = counterValue;
                            return buffer;
                        });
    }

    private static byte[] serialize(TypeSerializer<SeriesBuffer> serializer, SeriesBuffer buffer)
            throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(buffer, out);
        return out.getCopyOfBuffer();
    }

    @Property
    void roundTripsEveryBufferExactly(@ForAll("buffers") SeriesBuffer buffer) throws IOException {
        SeriesBufferSerializer serializer = new SeriesBufferSerializer();
        SeriesBuffer back =
                serializer.deserialize(new DataInputDeserializer(serialize(serializer, buffer)));

        assertThat(back).isEqualTo(buffer);
        assertThat(back.labels).isEqualTo(buffer.labels);
        assertThat(Double.doubleToRawLongBits(back.counterValue))
                .isEqualTo(Double.doubleToRawLongBits(buffer.counterValue));
        for (int i = 0; i < buffer.size; i++) {
            assertThat(Double.doubleToRawLongBits(back.values[i]))
                    .isEqualTo(Double.doubleToRawLongBits(buffer.values[i]));
        }
    }

    @Property
    void copiesAreEqualAndIndependent(@ForAll("buffers") SeriesBuffer buffer) throws IOException {
        SeriesBufferSerializer serializer = new SeriesBufferSerializer();
        SeriesBuffer copy = serializer.copy(buffer);
        assertThat(copy).isEqualTo(buffer);

        byte[] before = serialize(serializer, buffer);
        copy.add(T0, 42.0);
        copy.counterTimestamp = T0;
        assertThat(serialize(serializer, buffer)).isEqualTo(before);

        // The stream copy writes a buffer equal to the original (labels maybe in another order).
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.copy(new DataInputDeserializer(before), out);
        SeriesBuffer copied =
                serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(copied).isEqualTo(buffer);
        assertThat(copied.labels).isEqualTo(buffer.labels);
    }

    @Example
    void regularSamplesTakeAboutTenBytesEach() throws IOException {
        SeriesBuffer buffer = new SeriesBuffer("node_cpu_usage_ratio", Map.of("host", "host-1"));
        for (int i = 0; i < 150; i++) {
            buffer.add(T0 + i * 1_000L, i / 150.0);
        }
        byte[] bytes = serialize(new SeriesBufferSerializer(), buffer);

        // 8 bytes of value and 2 of timestamp delta per sample, against 16 as two arrays.
        assertThat(bytes.length).isLessThan(150 * 10 + 80);
    }

    @Example
    void aTruncatedBlockIsAnIoErrorNotAnArrayIndexError() throws IOException {
        SeriesBuffer buffer = new SeriesBuffer("cpu", Map.of());
        buffer.add(T0, 1.0);
        buffer.add(T0 + 1_000, 2.0);
        byte[] bytes = serialize(new SeriesBufferSerializer(), buffer);
        // Keep the block's length prefix but drop its last value's bytes.
        byte[] truncated = Arrays.copyOf(bytes, bytes.length - 4);
        // The block length says more than is left: readFully fails with an EOF (an IOException).
        assertThatThrownBy(
                        () ->
                                new SeriesBufferSerializer()
                                        .deserialize(new DataInputDeserializer(truncated)))
                .isInstanceOf(IOException.class);
    }

    @Example
    void itsSnapshotRestoresACompatibleSerializer() throws IOException {
        TypeSerializerSnapshot<SeriesBuffer> snapshot =
                new SeriesBufferSerializer().snapshotConfiguration();
        DataOutputSerializer out = new DataOutputSerializer(16);
        snapshot.writeSnapshot(out);
        TypeSerializerSnapshot<SeriesBuffer> restored = new SeriesBufferSerializer.Snapshot();
        restored.readSnapshot(
                snapshot.getCurrentVersion(),
                new DataInputDeserializer(out.getCopyOfBuffer()),
                getClass().getClassLoader());

        TypeSerializerSchemaCompatibility<SeriesBuffer> compatibility =
                new SeriesBufferSerializer()
                        .snapshotConfiguration()
                        .resolveSchemaCompatibility(restored);
        assertThat(compatibility.isCompatibleAsIs()).isTrue();
        assertThat(restored.restoreSerializer()).isInstanceOf(SeriesBufferSerializer.class);
    }
}
