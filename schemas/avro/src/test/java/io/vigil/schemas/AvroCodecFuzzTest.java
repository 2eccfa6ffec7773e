package io.vigil.schemas;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

/**
 * Any bytes decode to a record or to a {@link AvroCodec.DecodeException} with a reason, never to
 * another exception or an error: a decoder that throws anything else fails the job that reads the
 * record, and fails it again after every restart.
 */
class AvroCodecFuzzTest {
    /** Arbitrary bytes behind a valid header and fingerprint of each topic's current schema. */
    @Property(tries = 3000)
    void anyBodyBehindAValidHeaderIsARecordOrAReason(
            @ForAll @Size(max = 64) byte[] body, @ForAll("topicIndex") int topic) {
        Topic<?> chosen = Topics.ALL.get(topic);
        byte[] header = java.util.Arrays.copyOf(encodeOne(chosen), AvroCodec.HEADER_LENGTH);
        byte[] bytes = java.util.Arrays.copyOf(header, header.length + body.length);
        System.arraycopy(body, 0, bytes, header.length, body.length);
        AvroCodecTest.assertDecodesOrRefuses(chosen, bytes);
    }

    @Property(tries = 500)
    void anyBytesAtAllAreARecordOrAReason(@ForAll @Size(max = 40) byte[] bytes) {
        for (Topic<?> topic : Topics.ALL) {
            AvroCodecTest.assertDecodesOrRefuses(topic, bytes);
        }
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<Integer> topicIndex() {
        return net.jqwik.api.Arbitraries.integers().between(0, Topics.ALL.size() - 1);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static byte[] encodeOne(Topic<?> topic) {
        AvroCodec codec = topic.codec();
        org.apache.avro.Schema schema = codec.schema();
        // Only the header is used: the fingerprint of the current schema.
        byte[] fingerprint = new byte[AvroCodec.HEADER_LENGTH];
        fingerprint[0] = (byte) 0xC3;
        fingerprint[1] = 0x01;
        long fp = org.apache.avro.SchemaNormalization.parsingFingerprint64(schema);
        for (int i = 0; i < 8; i++) {
            fingerprint[2 + i] = (byte) (fp >>> (8 * i));
        }
        return fingerprint;
    }
}
