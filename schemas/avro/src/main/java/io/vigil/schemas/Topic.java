package io.vigil.schemas;

import java.io.Serializable;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * One Kafka topic: its name, how its key is written and the Avro record of its values.
 *
 * <p>Instances live only in {@link Topics}; code refers to {@code Topics.METRIC_SAMPLES}, never to
 * a topic name as a string.
 *
 * @param <V> the value record
 */
public final class Topic<V extends SpecificRecordBase> implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Whether Kafka deletes old segments or keeps the last value of every key. */
    public enum Cleanup {
        DELETE,
        COMPACT
    }

    private final String name;
    private final KeyFormat keyFormat;
    private final Class<V> valueClass;
    private final Cleanup cleanup;
    private final AvroCodec<V> codec;

    Topic(String name, KeyFormat keyFormat, Class<V> valueClass, Cleanup cleanup) {
        this(name, keyFormat, valueClass, cleanup, AvroCodec.of(valueClass));
    }

    Topic(
            String name,
            KeyFormat keyFormat,
            Class<V> valueClass,
            Cleanup cleanup,
            AvroCodec<V> codec) {
        this.name = Objects.requireNonNull(name, "name");
        this.keyFormat = Objects.requireNonNull(keyFormat, "keyFormat");
        this.valueClass = Objects.requireNonNull(valueClass, "valueClass");
        this.cleanup = Objects.requireNonNull(cleanup, "cleanup");
        this.codec = Objects.requireNonNull(codec, "codec");
    }

    public String name() {
        return name;
    }

    public KeyFormat keyFormat() {
        return keyFormat;
    }

    public Class<V> valueClass() {
        return valueClass;
    }

    public Cleanup cleanup() {
        return cleanup;
    }

    /** The codec of this topic's values (it also reads the types the topic carried before). */
    public AvroCodec<V> codec() {
        return codec;
    }

    @Override
    public String toString() {
        return name;
    }
}
