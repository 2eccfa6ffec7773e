package io.vigil.schemas;

import java.util.IdentityHashMap;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * Walks Avro binary data against its writer schema without building anything, and refuses data
 * whose lengths and counts could not be what they claim, before Avro's decoder allocates for them.
 *
 * <p>Why: Avro's decoder allocates a string, a byte array or an array of the length a prefix claims
 * before it reads the content. Fifteen hostile bytes can claim gigabytes, and the decoder then
 * fails with an {@link OutOfMemoryError} (or succeeds in allocating, on a large heap) instead of a
 * clean error: a job reading such a record failed and restarted on it forever. In a record held in
 * memory, every string, byte array and array item takes at least one byte, so a claim beyond the
 * bytes that remain is malformed, whatever the schema allows. Items that take no bytes (nulls,
 * empty records) are limited to {@link #MAX_ZERO_WIDTH_ITEMS} a block.
 *
 * <p>The walk reads every byte once, with no allocation, so it costs a fraction of the decode it
 * guards. It also refuses trailing bytes after the record, which no Avro writer produces.
 */
final class AvroBounds {
    /** Most items of a zero-width type (null, empty record) in one array or map block. */
    static final int MAX_ZERO_WIDTH_ITEMS = 65_536;

    /** Deepest nesting of records, arrays, maps and unions; guards recursive schemas. */
    static final int MAX_DEPTH = 64;

    private final byte[] bytes;
    private final Map<Schema, Integer> minWidths = new IdentityHashMap<>();
    private int position;

    private AvroBounds(byte[] bytes, int start) {
        this.bytes = bytes;
        this.position = start;
    }

    /**
     * Checks that {@code bytes} from {@code start} to the end are exactly one datum of {@code
     * writer}.
     *
     * @throws Malformed with what is wrong and at which byte
     */
    static void check(Schema writer, byte[] bytes, int start) throws Malformed {
        AvroBounds walk = new AvroBounds(bytes, start);
        walk.datum(writer, 0);
        if (walk.position != bytes.length) {
            throw new Malformed(
                    String.format(
                            "%d trailing bytes after the record at byte %d",
                            bytes.length - walk.position, walk.position));
        }
    }

    private void datum(Schema schema, int depth) throws Malformed {
        if (depth > MAX_DEPTH) {
            throw malformed("nesting deeper than " + MAX_DEPTH);
        }
        switch (schema.getType()) {
            case NULL -> {}
            case BOOLEAN -> {
                int b = take(1);
                if (bytes[b] != 0 && bytes[b] != 1) {
                    throw malformed("boolean byte " + bytes[b]);
                }
            }
            case INT -> {
                long v = varLong(5);
                if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                    throw malformed("int out of range");
                }
            }
            case LONG -> varLong(10);
            case FLOAT -> take(4);
            case DOUBLE -> take(8);
            case STRING, BYTES -> take(length("string or bytes length"));
            case FIXED -> take(schema.getFixedSize());
            case ENUM -> {
                long index = varLong(5);
                if (index < 0 || index >= schema.getEnumSymbols().size()) {
                    throw malformed("enum index " + index + " of " + schema.getFullName());
                }
            }
            case UNION -> {
                long index = varLong(10);
                if (index < 0 || index >= schema.getTypes().size()) {
                    throw malformed("union branch " + index);
                }
                datum(schema.getTypes().get((int) index), depth + 1);
            }
            case RECORD -> {
                for (Schema.Field field : schema.getFields()) {
                    datum(field.schema(), depth + 1);
                }
            }
            case ARRAY -> blocks(schema.getElementType(), false, depth);
            case MAP -> blocks(schema.getValueType(), true, depth);
        }
    }

    /** The blocks of an array or map: a count, a byte size when negative, then the items. */
    private void blocks(Schema item, boolean map, int depth) throws Malformed {
        int width = minWidth(item, 0) + (map ? 1 : 0);
        while (true) {
            long count = varLong(10);
            if (count == 0) {
                return;
            }
            if (count < 0) {
                if (count == Long.MIN_VALUE) {
                    throw malformed("block count out of range");
                }
                count = -count;
                length("block size");
            }
            long limit = width == 0 ? MAX_ZERO_WIDTH_ITEMS : (bytes.length - position) / width;
            if (count > limit) {
                throw malformed(
                        String.format(
                                "a block claims %d items, %d bytes remain", count, remaining()));
            }
            for (long i = 0; i < count; i++) {
                if (map) {
                    take(length("map key length"));
                }
                datum(item, depth + 1);
            }
        }
    }

    /** Fewest bytes a datum of {@code schema} takes; 0 for a recursive reference. */
    private int minWidth(Schema schema, int depth) {
        Integer known = minWidths.get(schema);
        if (known != null) {
            return known;
        }
        if (depth > MAX_DEPTH) {
            return 0;
        }
        int width =
                switch (schema.getType()) {
                    case NULL -> 0;
                    case FLOAT -> 4;
                    case DOUBLE -> 8;
                    case FIXED -> schema.getFixedSize();
                    case RECORD -> {
                        minWidths.put(schema, 0); // a record that contains itself
                        int sum = 0;
                        for (Schema.Field field : schema.getFields()) {
                            sum =
                                    (int)
                                            Math.min(
                                                    Integer.MAX_VALUE,
                                                    sum
                                                            + (long)
                                                                    minWidth(
                                                                            field.schema(),
                                                                            depth + 1));
                        }
                        yield sum;
                    }
                    default -> 1; // a varint, a length, a count, a branch index: at least a byte
                };
        minWidths.put(schema, width);
        return width;
    }

    /** A length prefix: not negative and not beyond the bytes that remain. */
    private int length(String what) throws Malformed {
        long length = varLong(10);
        if (length < 0 || length > remaining()) {
            throw malformed(String.format("%s %d, %d bytes remain", what, length, remaining()));
        }
        return (int) length;
    }

    /** A zig-zag varint of at most {@code maxBytes} bytes. */
    private long varLong(int maxBytes) throws Malformed {
        long raw = 0;
        for (int i = 0; i < maxBytes; i++) {
            if (position >= bytes.length) {
                throw malformed("the record ends inside a number");
            }
            int b = bytes[position++] & 0xff;
            raw |= (long) (b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw malformed("a number longer than " + maxBytes + " bytes");
    }

    /** Skips {@code n} bytes and returns where they start. */
    private int take(int n) throws Malformed {
        if (n > remaining()) {
            throw malformed(String.format("%d bytes needed, %d remain", n, remaining()));
        }
        int at = position;
        position += n;
        return at;
    }

    private int remaining() {
        return bytes.length - position;
    }

    private Malformed malformed(String what) {
        return new Malformed(what + " at byte " + position);
    }

    /** The data is not a datum of the schema; the message says what and where. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message, null, false, false);
        }
    }
}
