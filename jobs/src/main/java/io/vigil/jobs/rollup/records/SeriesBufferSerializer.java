package io.vigil.jobs.rollup.records;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Serialises a {@link SeriesBuffer} for the rollup's keyed state: its identity, its counter
 * baseline, and its buffered samples as one block of bytes.
 *
 * <p>Why not Flink's POJO serializer: a heap-state checkpoint writes every buffered sample of every
 * series, two and a half minutes of them at a one-second scrape, and the POJO serializer writes
 * them one {@code long} and one {@code double} at a time through the checkpoint stream (a call
 * chain per 8 bytes), reading each field by reflection. Here the samples are encoded into a scratch
 * buffer first and written with one call: timestamps as zigzag varint deltas from the previous one
 * (one or two bytes at a regular scrape, any order and any value allowed, as the subtraction wraps
 * and the addition unwraps), values as their raw 64 bits, so a value comes back bit for bit.
 *
 * <p>The labels map is never changed once a buffer holds it, so {@link #copy} shares it.
 *
 * <p>Format (version 1): metric, label count, then each name and value ({@link StringValue}'s
 * string encoding); counter timestamp (8 bytes), counter value (8 bytes, raw bits); sample count;
 * byte length of the sample block; the block: the first timestamp as a varint delta from 0, then
 * the deltas, then the values.
 */
public final class SeriesBufferSerializer extends TypeSerializer<SeriesBuffer> {
    private static final long serialVersionUID = 1L;

    /**
     * Scratch space for the sample block; per instance, as {@link #duplicate} gives each thread
     * one.
     */
    private transient DataOutputSerializer scratch;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<SeriesBuffer> duplicate() {
        return new SeriesBufferSerializer();
    }

    @Override
    public SeriesBuffer createInstance() {
        return new SeriesBuffer();
    }

    @Override
    public SeriesBuffer copy(SeriesBuffer from) {
        SeriesBuffer copy = new SeriesBuffer(from.metric, from.labels);
        copy.timestamps = from.timestamps.clone();
        copy.values = from.values.clone();
        copy.size = from.size;
        copy.counterTimestamp = from.counterTimestamp;
        copy.counterValue = from.counterValue;
        return copy;
    }

    @Override
    public SeriesBuffer copy(SeriesBuffer from, SeriesBuffer reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(SeriesBuffer buffer, DataOutputView target) throws IOException {
        StringValue.writeString(buffer.metric, target);
        Map<String, String> labels = buffer.labels == null ? Map.of() : buffer.labels;
        target.writeInt(labels.size());
        for (Map.Entry<String, String> label : labels.entrySet()) {
            StringValue.writeString(label.getKey(), target);
            StringValue.writeString(label.getValue(), target);
        }
        target.writeLong(buffer.counterTimestamp);
        target.writeLong(Double.doubleToRawLongBits(buffer.counterValue));
        int size = buffer.size;
        target.writeInt(size);
        DataOutputSerializer block = scratch();
        block.clear();
        long previous = 0;
        for (int i = 0; i < size; i++) {
            long delta = buffer.timestamps[i] - previous;
            writeVarLong((delta << 1) ^ (delta >> 63), block);
            previous = buffer.timestamps[i];
        }
        for (int i = 0; i < size; i++) {
            block.writeLong(Double.doubleToRawLongBits(buffer.values[i]));
        }
        target.writeInt(block.length());
        target.write(block.getSharedBuffer(), 0, block.length());
    }

    @Override
    public SeriesBuffer deserialize(DataInputView source) throws IOException {
        String metric = StringValue.readString(source);
        int labelCount = source.readInt();
        Map<String, String> labels = new HashMap<>(Math.max(4, labelCount * 2));
        for (int i = 0; i < labelCount; i++) {
            labels.put(StringValue.readString(source), StringValue.readString(source));
        }
        SeriesBuffer buffer = new SeriesBuffer(metric, labels);
        buffer.counterTimestamp = source.readLong();
        buffer.counterValue = Double.longBitsToDouble(source.readLong());
        int size = source.readInt();
        byte[] block = new byte[source.readInt()];
        source.readFully(block);
        buffer.timestamps = new long[size];
        buffer.values = new double[size];
        buffer.size = size;
        int[] position = {0};
        long previous = 0;
        for (int i = 0; i < size; i++) {
            long zigzag = readVarLong(block, position);
            previous += (zigzag >>> 1) ^ -(zigzag & 1);
            buffer.timestamps[i] = previous;
        }
        int at = position[0];
        for (int i = 0; i < size; i++, at += Long.BYTES) {
            buffer.values[i] = Double.longBitsToDouble(readLong(block, at));
        }
        return buffer;
    }

    @Override
    public SeriesBuffer deserialize(SeriesBuffer reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof SeriesBufferSerializer;
    }

    @Override
    public int hashCode() {
        return SeriesBufferSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<SeriesBuffer> snapshotConfiguration() {
        return new Snapshot();
    }

    private DataOutputSerializer scratch() {
        if (scratch == null) {
            scratch = new DataOutputSerializer(4096);
        }
        return scratch;
    }

    private static void writeVarLong(long value, DataOutputSerializer out) throws IOException {
        while ((value & ~0x7FL) != 0) {
            out.writeByte((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.writeByte((int) value);
    }

    private static long readVarLong(byte[] bytes, int[] position) throws IOException {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (position[0] >= bytes.length) {
                throw new IOException("Truncated series buffer: a timestamp runs past its block");
            }
            byte b = bytes[position[0]++];
            value |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw new IOException("Corrupt series buffer: a timestamp longer than 10 bytes");
    }

    private static long readLong(byte[] bytes, int at) throws IOException {
        if (at + Long.BYTES > bytes.length) {
            throw new IOException("Truncated series buffer: a value runs past its block");
        }
        long value = 0;
        for (int i = 0; i < Long.BYTES; i++) {
            value = (value << 8) | (bytes[at + i] & 0xFF);
        }
        return value;
    }

    /** Restores this serializer from a checkpoint; the format has one version so far. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<SeriesBuffer> {
        public Snapshot() {
            super(SeriesBufferSerializer::new);
        }
    }

    /** The type information of series buffers, so that Flink uses this serializer for them. */
    public static final class TypeInfo extends TypeInformation<SeriesBuffer> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean isBasicType() {
            return false;
        }

        @Override
        public boolean isTupleType() {
            return false;
        }

        @Override
        public int getArity() {
            return 1;
        }

        @Override
        public int getTotalFields() {
            return 1;
        }

        @Override
        public Class<SeriesBuffer> getTypeClass() {
            return SeriesBuffer.class;
        }

        @Override
        public boolean isKeyType() {
            return false;
        }

        @Override
        public TypeSerializer<SeriesBuffer> createSerializer(SerializerConfig config) {
            return new SeriesBufferSerializer();
        }

        @Override
        public String toString() {
            return "SeriesBuffer";
        }

        @Override
        public boolean equals(Object obj) {
            return obj instanceof TypeInfo;
        }

        @Override
        public int hashCode() {
            return TypeInfo.class.hashCode();
        }

        @Override
        public boolean canEqual(Object obj) {
            return obj instanceof TypeInfo;
        }
    }
}
