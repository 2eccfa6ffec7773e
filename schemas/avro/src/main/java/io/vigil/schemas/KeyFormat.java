package io.vigil.schemas;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** How the key of a topic is written: the partitioner hashes exactly these bytes. */
public enum KeyFormat {
    /** A signed 64-bit number, big-endian (series ids). */
    LONG {
        @Override
        public byte[] encode(Object key) {
            return ByteBuffer.allocate(Long.BYTES).putLong((Long) key).array();
        }

        @Override
        public Object decode(byte[] bytes) {
            return ByteBuffer.wrap(bytes).getLong();
        }
    },
    /** A UTF-8 string (rule ids, fingerprints, origins). */
    STRING {
        @Override
        public byte[] encode(Object key) {
            return ((String) key).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public Object decode(byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    };

    /** The wire form of a key. */
    public abstract byte[] encode(Object key);

    /** The key of its wire form. */
    public abstract Object decode(byte[] bytes);
}
