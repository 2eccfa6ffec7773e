package io.vigil.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
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
 * <p>Instances are serialisable so that Flink functions can hold them; encoder and decoder are
 * built on first use in each JVM and are thread-safe.
 *
 * @param <T> the generated record class
 */
public final class AvroCodec<T extends SpecificRecordBase> implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Class<T> type;
    private final List<String> olderSchemas;
    private transient BinaryMessageEncoder<T> encoder;
    private transient BinaryMessageDecoder<T> decoder;

    private AvroCodec(Class<T> type, List<String> olderSchemas) {
        this.type = type;
        this.olderSchemas = olderSchemas;
    }

    /** A codec for a record type that reads its own history from the class path. */
    public static <T extends SpecificRecordBase> AvroCodec<T> of(Class<T> type) {
        return new AvroCodec<>(Objects.requireNonNull(type, "type"), historyOf(type));
    }

    /**
     * A codec that also reads the given older writer schemas; for tools and tests that hold a
     * schema not (yet) in the history folder.
     */
    public static <T extends SpecificRecordBase> AvroCodec<T> of(
            Class<T> type, List<Schema> olderSchemas) {
        List<String> all = new ArrayList<>(historyOf(type));
        olderSchemas.forEach(schema -> all.add(schema.toString()));
        return new AvroCodec<>(type, Collections.unmodifiableList(all));
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
     * Decodes a record written with the current schema or any known older one.
     *
     * @throws DecodeException with a message fit for a dead letter, if the bytes are not a
     *     single-object encoded record of a known schema
     */
    public T decode(byte[] bytes) throws DecodeException {
        if (bytes == null) {
            throw new DecodeException("empty: the record has no value");
        }
        try {
            return decoder().decode(bytes);
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException e) {
            throw new DecodeException(
                    String.format(
                            "undecodable: not a %s (%s: %s)",
                            type.getSimpleName(), e.getClass().getSimpleName(), e.getMessage()),
                    e);
        }
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
