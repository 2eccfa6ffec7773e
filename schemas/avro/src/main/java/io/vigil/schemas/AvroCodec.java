package io.vigil.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Encodes and decodes one record type with Avro single-object encoding: a two-byte marker, the
 * 64-bit fingerprint of the writer schema, then the binary record.
 *
 * <p>The fingerprint lets a reader find the schema a record was written with and resolve it into
 * the current one, without a registry service. The decoder knows the current schema and every older
 * version kept as {@code avro/history/<Record>.v<N>.avsc} (N from 1, no gaps), so records written
 * by an older producer keep decoding after a compatible change (for example an added optional
 * field). Rule for schema changes: copy the current file to the next history version before editing
 * it.
 *
 * <p>Decoding never throws anything but {@link DecodeException}, whatever the bytes: the header and
 * fingerprint are checked first, then {@link AvroBounds} walks the data against its writer schema,
 * so that no length or count prefix makes the decoder allocate more than the record holds. A topic
 * whose value type replaced an older one (samples became batches) reads the old type too, through
 * {@link #alsoReading}.
 *
 * <p>Instances are serialisable so that Flink functions can hold them; encoder and decoder are
 * built on first use in each JVM and are thread-safe.
 *
 * @param <T> the generated record class
 */
public final class AvroCodec<T extends SpecificRecordBase> implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The two marker bytes of Avro's single-object encoding. */
    private static final byte MARKER_0 = (byte) 0xC3;

    private static final byte MARKER_1 = (byte) 0x01;

    /** Marker plus the 64-bit fingerprint of the writer schema. */
    static final int HEADER_LENGTH = 10;

    private final Class<T> type;
    private final List<String> olderSchemas;
    private final List<Predecessor<?, T>> predecessors;
    private transient BinaryMessageEncoder<T> encoder;
    private transient BinaryMessageDecoder<T> decoder;
    private transient Map<Long, Schema> writers;

    private AvroCodec(
            Class<T> type, List<String> olderSchemas, List<Predecessor<?, T>> predecessors) {
        this.type = type;
        this.olderSchemas = olderSchemas;
        this.predecessors = predecessors;
    }

    /** A codec for a record type that reads its own history from the class path. */
    public static <T extends SpecificRecordBase> AvroCodec<T> of(Class<T> type) {
        return new AvroCodec<>(Objects.requireNonNull(type, "type"), historyOf(type), List.of());
    }

    /**
     * A codec that also reads the given older writer schemas; for tools and tests that hold a
     * schema not (yet) in the history folder.
     */
    public static <T extends SpecificRecordBase> AvroCodec<T> of(
            Class<T> type, List<Schema> olderSchemas) {
        List<String> all = new ArrayList<>(historyOf(type));
        olderSchemas.forEach(schema -> all.add(schema.toString()));
        return new AvroCodec<>(type, Collections.unmodifiableList(all), List.of());
    }

    /**
     * A codec that also reads the records of an older type that this one replaced on a topic,
     * converted by {@code upgrade}, so that producers can move to the new type one by one without a
     * record lost. Encoding always writes this codec's type.
     *
     * <pre>{@code
     * AvroCodec<MetricBatch> codec =
     *         AvroCodec.of(MetricBatch.class).alsoReading(AvroCodec.of(MetricSample.class), MetricBatches::of);
     * }</pre>
     */
    public <P extends SpecificRecordBase> AvroCodec<T> alsoReading(
            AvroCodec<P> predecessor, Upgrade<P, T> upgrade) {
        List<Predecessor<?, T>> all = new ArrayList<>(predecessors);
        all.add(
                new Predecessor<>(
                        Objects.requireNonNull(predecessor, "predecessor"),
                        Objects.requireNonNull(upgrade, "upgrade")));
        return new AvroCodec<>(type, olderSchemas, Collections.unmodifiableList(all));
    }

    /** The record type this codec reads and writes. */
    public Class<T> type() {
        return type;
    }

    /** The schema records are written with. */
    public Schema schema() {
        return SpecificData.get().getSchema(type);
    }

    /** The single-object encoding of a record. */
    public byte[] encode(T record) {
        try {
            ByteBuffer buffer = encoder().encode(record);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + type.getSimpleName(), e);
        }
    }

    /**
     * Decodes a record written with the current schema, any known older one, or a predecessor
     * type's schema ({@link #alsoReading}).
     *
     * @throws DecodeException with a message fit for a dead letter, if the bytes are not a
     *     single-object encoded record of a known schema; never anything else
     */
    public T decode(byte[] bytes) throws DecodeException {
        if (bytes == null) {
            throw new DecodeException("empty: the record has no value");
        }
        if (bytes.length < HEADER_LENGTH || bytes[0] != MARKER_0 || bytes[1] != MARKER_1) {
            throw new DecodeException(
                    String.format(
                            "undecodable: not a %s: %d bytes without the Avro single-object header"
                                    + " (C3 01 and a schema fingerprint)",
                            type.getSimpleName(), bytes.length));
        }
        long fingerprint = fingerprintOf(bytes);
        if (!reads(fingerprint)) {
            for (Predecessor<?, T> predecessor : predecessors) {
                if (predecessor.codec().reads(fingerprint)) {
                    return predecessor.decode(bytes);
                }
            }
            throw new DecodeException(
                    String.format(
                            "undecodable: not a %s: unknown writer schema, fingerprint %016x",
                            type.getSimpleName(), fingerprint));
        }
        try {
            AvroBounds.check(writers().get(fingerprint), bytes, HEADER_LENGTH);
        } catch (AvroBounds.Malformed e) {
            throw new DecodeException(
                    String.format(
                            "undecodable: malformed %s: %s", type.getSimpleName(), e.getMessage()),
                    e);
        } catch (RuntimeException e) {
            throw undecodable(e);
        }
        try {
            return decoder().decode(bytes);
        } catch (IOException | RuntimeException e) {
            // Checked above, so this is a surprise; still a reason, never a failed job.
            throw undecodable(e);
        }
    }

    private DecodeException undecodable(Exception e) {
        return new DecodeException(
                String.format(
                        "undecodable: not a %s (%s: %s)",
                        type.getSimpleName(), e.getClass().getSimpleName(), e.getMessage()),
                e);
    }

    /** Whether this codec reads records written with the schema of that fingerprint itself. */
    boolean reads(long fingerprint) {
        return writers().containsKey(fingerprint);
    }

    /** The writer schema fingerprint of a single-object encoded record (little-endian). */
    private static long fingerprintOf(byte[] bytes) {
        long fingerprint = 0;
        for (int i = HEADER_LENGTH - 1; i >= 2; i--) {
            fingerprint = (fingerprint << 8) | (bytes[i] & 0xff);
        }
        return fingerprint;
    }

    private Map<Long, Schema> writers() {
        if (writers == null) {
            Map<Long, Schema> known = new HashMap<>();
            known.put(SchemaNormalization.parsingFingerprint64(schema()), schema());
            for (String older : olderSchemas) {
                Schema schema = new Schema.Parser().parse(older);
                known.put(SchemaNormalization.parsingFingerprint64(schema), schema);
            }
            writers = Map.copyOf(known);
        }
        return writers;
    }

    private BinaryMessageEncoder<T> encoder() {
        if (encoder == null) {
            encoder = new BinaryMessageEncoder<>(SpecificData.getForClass(type), schema());
        }
        return encoder;
    }

    private BinaryMessageDecoder<T> decoder() {
        if (decoder == null) {
            BinaryMessageDecoder<T> built =
                    new BinaryMessageDecoder<>(SpecificData.getForClass(type), schema());
            for (String older : olderSchemas) {
                built.addSchema(new Schema.Parser().parse(older));
            }
            decoder = built;
        }
        return decoder;
    }

    private static List<String> historyOf(Class<?> type) {
        List<String> schemas = new ArrayList<>();
        for (int version = 1; ; version++) {
            String path = "/avro/history/" + type.getSimpleName() + ".v" + version + ".avsc";
            try (InputStream in = AvroCodec.class.getResourceAsStream(path)) {
                if (in == null) {
                    return Collections.unmodifiableList(schemas);
                }
                schemas.add(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + path, e);
            }
        }
    }

    /**
     * Turns a record of the type a topic carried before into the type it carries now.
     *
     * @param <P> the predecessor type
     * @param <T> the current type
     */
    @FunctionalInterface
    public interface Upgrade<P, T> extends Serializable {
        T apply(P predecessor);
    }

    /** A predecessor type's codec and its upgrade. */
    private record Predecessor<P extends SpecificRecordBase, T>(
            AvroCodec<P> codec, Upgrade<P, T> upgrade) implements Serializable {
        T decode(byte[] bytes) throws DecodeException {
            P old = codec.decode(bytes);
            try {
                return upgrade.apply(old);
            } catch (RuntimeException e) {
                throw new DecodeException(
                        String.format(
                                "undecodable: a %s that cannot be read as its successor (%s: %s)",
                                codec.type().getSimpleName(),
                                e.getClass().getSimpleName(),
                                e.getMessage()),
                        e);
            }
        }
    }

    /** The bytes are not a record this codec can read; the message says why. */
    public static final class DecodeException extends Exception {
        private static final long serialVersionUID = 1L;

        DecodeException(String message) {
            super(message);
        }

        DecodeException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
