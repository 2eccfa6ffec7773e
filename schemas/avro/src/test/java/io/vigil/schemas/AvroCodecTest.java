package io.vigil.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

class AvroCodecTest {
    private static final long T0 = 1_764_000_000_000L;

    private static MetricSample cpuSample() {
        return MetricSample.newBuilder()
                .setName("node_cpu_seconds_total")
                .setLabels(Map.of(Labels.HOST, "web-001", Labels.DC, "fra1", "mode", "user"))
                .setValue(1234.5)
                .setTimestamp(T0)
                .build();
    }

    private static MetricBatch cpuBatch() {
        return MetricBatches.builder(Map.of(Labels.HOST, "web-001", Labels.DC, "fra1"), T0)
                .add("node_cpu_seconds_total", Map.of("mode", "user"), 1234.5)
                .add("node_load1", Map.of(), 0.42, T0 + 3)
                .build();
    }

    @Test
    void roundTripsEveryTopicValueType() throws Exception {
        AvroCodec<MetricBatch> codec = Topics.METRIC_SAMPLES.codec();
        MetricBatch batch = cpuBatch();

        byte[] bytes = codec.encode(batch);

        // Single-object encoding: marker C3 01, then the 8-byte schema fingerprint.
        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        assertThat(codec.decode(bytes)).isEqualTo(batch);
    }

    /** A producer not yet upgraded writes per-sample records; they read as batches of one. */
    @Test
    void theSamplesTopicReadsLegacySamplesAsBatchesOfOne() throws Exception {
        byte[] legacy = AvroCodec.of(MetricSample.class).encode(cpuSample());

        MetricBatch batch = Topics.METRIC_SAMPLES.codec().decode(legacy);

        assertThat(batch.getSamples()).hasSize(1);
        assertThat(MetricBatches.sample(batch, 0)).isEqualTo(cpuSample());
        assertThat(MetricBatches.seriesIds(batch)).containsExactly(SeriesIds.of(cpuSample()));
    }

    /**
     * The record that put both jobs into a restart loop: a valid header, then a string length
     * claiming far more than the record holds. It is refused with a reason before anything is
     * allocated for it.
     */
    @Test
    void refusesALengthPrefixBeyondTheRecord() throws Exception {
        byte[] valid = Topics.METRIC_SAMPLES.codec().encode(cpuBatch());
        byte[] hostile = java.util.Arrays.copyOf(valid, 15);
        // Header (10 bytes), then the shared-labels map: a block of one entry, and a key length
        // of 8 MiB as a zig-zag varint (the one of the incident claimed gigabytes; any beyond the
        // record is refused alike).
        hostile[10] = 2;
        hostile[11] = (byte) 0x80;
        hostile[12] = (byte) 0x80;
        hostile[13] = (byte) 0x80;
        hostile[14] = (byte) 0x08;

        assertThatThrownBy(() -> Topics.METRIC_SAMPLES.codec().decode(hostile))
                .isInstanceOf(AvroCodec.DecodeException.class)
                .hasMessageStartingWith("undecodable: malformed MetricBatch: ")
                .hasMessageContaining("map key length 8388608, 0 bytes remain");
    }

    /** An array claiming more items than bytes remain is refused before Avro sizes a list. */
    @Test
    void refusesAnItemCountBeyondTheRecord() throws Exception {
        MetricBatch empty = MetricBatches.builder(Map.of(), T0).build();
        byte[] valid = Topics.METRIC_SAMPLES.codec().encode(empty);
        // labels: empty map (0); timestamp: varint; samples: count, here 2^21 items.
        byte[] hostile = java.util.Arrays.copyOf(valid, valid.length + 3);
        int countAt = valid.length - 1;
        hostile[countAt] = (byte) 0x80;
        hostile[countAt + 1] = (byte) 0x80;
        hostile[countAt + 2] = (byte) 0x80;
        hostile[countAt + 3] = (byte) 0x02;

        assertThatThrownBy(() -> Topics.METRIC_SAMPLES.codec().decode(hostile))
                .isInstanceOf(AvroCodec.DecodeException.class)
                .hasMessageContaining("a block claims 2097152 items, 0 bytes remain");
    }

    /** Every truncation and every single-byte corruption of a real record of every topic. */
    @Test
    void everyTruncationAndCorruptionIsARecordOrAReason() {
        for (Topic<?> topic : Topics.ALL) {
            byte[] valid = encodeSample(topic);
            for (int length = 0; length < valid.length; length++) {
                assertDecodesOrRefuses(topic, java.util.Arrays.copyOf(valid, length));
            }
            for (int at = 0; at < valid.length; at++) {
                for (int value : new int[] {0x00, 0x01, 0x7f, 0x80, 0xff}) {
                    byte[] corrupt = valid.clone();
                    corrupt[at] = (byte) value;
                    assertDecodesOrRefuses(topic, corrupt);
                }
            }
        }
    }

    @Test
    void refusesTrailingBytes() {
        byte[] valid = Topics.METRIC_SAMPLES.codec().encode(cpuBatch());
        byte[] longer = java.util.Arrays.copyOf(valid, valid.length + 1);

        assertThatThrownBy(() -> Topics.METRIC_SAMPLES.codec().decode(longer))
                .isInstanceOf(AvroCodec.DecodeException.class)
                .hasMessageContaining("1 trailing bytes");
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static byte[] encodeSample(Topic<?> topic) {
        AvroCodec codec = topic.codec();
        return codec.encode((org.apache.avro.specific.SpecificRecordBase) sampleRecordOf(topic));
    }

    /** Decoding either succeeds or throws a DecodeException with a reason; nothing else. */
    static void assertDecodesOrRefuses(Topic<?> topic, byte[] bytes) {
        try {
            topic.codec().decode(bytes);
        } catch (AvroCodec.DecodeException e) {
            assertThat(e.getMessage()).startsWith("undecodable: ");
        }
    }

    @Test
    void rejectsGarbageWithAReason() {
        AvroCodec<MetricBatch> codec = Topics.METRIC_SAMPLES.codec();

        assertThatThrownBy(() -> codec.decode("not avro at all".getBytes()))
                .isInstanceOf(AvroCodec.DecodeException.class)
                .hasMessageStartingWith("undecodable: not a MetricBatch");
        assertThatThrownBy(() -> codec.decode(null))
                .isInstanceOf(AvroCodec.DecodeException.class)
                .hasMessageStartingWith("empty");
    }

    @Test
    void rejectsARecordOfAnotherSchema() {
        DeadLetter other =
                DeadLetter.newBuilder()
                        .setSourceTopic("x")
                        .setReason("r")
                        .setRaw(ByteBuffer.wrap(new byte[] {1}))
                        .setFailedAt(T0)
                        .build();
        byte[] bytes = Topics.DEAD_LETTER.codec().encode(other);

        assertThatThrownBy(() -> Topics.METRIC_SAMPLES.codec().decode(bytes))
                .isInstanceOf(AvroCodec.DecodeException.class)
                .hasMessageContaining("unknown writer schema");
    }

    /**
     * Version N+1 of every topic schema adds an optional field. A record written with version N
     * (the current one) must decode with a reader on N+1 that has N in its history, the field
     * taking its default.
     */
    @Test
    void recordsWrittenWithVersionNDecodeWithVersionNPlusOne() throws Exception {
        for (Topic<?> topic : Topics.ALL) {
            Schema current = topic.codec().schema();
            Schema next = withAddedOptionalField(current, "added_in_next_version");

            GenericRecord written = sampleRecordOf(topic);
            byte[] bytes =
                    new BinaryMessageEncoder<GenericRecord>(GenericData.get(), current)
                            .encode(written)
                            .array();

            org.apache.avro.message.BinaryMessageDecoder<GenericRecord> nextReader =
                    new org.apache.avro.message.BinaryMessageDecoder<>(GenericData.get(), next);
            nextReader.addSchema(current);
            GenericRecord read = nextReader.decode(bytes);

            assertThat(read.get("added_in_next_version")).as(topic.name()).isNull();
            for (Schema.Field field : current.getFields()) {
                assertThat(normalised(read.get(field.name())))
                        .as("%s.%s", topic.name(), field.name())
                        .isEqualTo(normalised(written.get(field.name())));
            }
        }
    }

    /** Our codec reads records written with an older schema it was given as history. */
    @Test
    void codecDecodesOlderWriterSchemasFromItsHistory() throws Exception {
        Schema older = withoutField(MetricSample.getClassSchema(), "labels");
        GenericRecord oldRecord = new GenericData.Record(older);
        oldRecord.put("name", "up");
        oldRecord.put("value", 1.0);
        oldRecord.put("timestamp", T0);
        byte[] bytes =
                new BinaryMessageEncoder<GenericRecord>(GenericData.get(), older)
                        .encode(oldRecord)
                        .array();

        MetricSample decoded = AvroCodec.of(MetricSample.class, List.of(older)).decode(bytes);

        assertThat(decoded.getName()).isEqualTo("up");
        assertThat(decoded.getLabels()).isEmpty();
        assertThat(decoded.getTimestamp()).isEqualTo(T0);
    }

    /**
     * A rule written by a producer on Rule v1 (before SPIKE, CRASH_LOOP and their parameters)
     * decodes with the current codec, which finds v1 in its class-path history; the new fields take
     * their defaults.
     */
    @Test
    void ruleWrittenWithVersionOneDecodesWithTheCurrentCodec() throws Exception {
        Schema v1;
        try (java.io.InputStream in =
                AvroCodecTest.class.getResourceAsStream("/avro/history/Rule.v1.avsc")) {
            assertThat(in).as("Rule.v1.avsc on the class path").isNotNull();
            v1 = new Schema.Parser().parse(in);
        }
        GenericRecord old = new GenericData.Record(v1);
        old.put("id", "cpu-high");
        old.put("version", 3L);
        old.put("name", "CpuHigh");
        old.put("kind", new GenericData.EnumSymbol(v1.getField("kind").schema(), "THRESHOLD"));
        old.put("metric", "cpu_usage");
        old.put("selector", Map.of());
        old.put(
                "group_level",
                new GenericData.EnumSymbol(v1.getField("group_level").schema(), "DC"));
        old.put("comparator", new GenericData.EnumSymbol(v1.getField("comparator").schema(), "GE"));
        old.put("threshold", 90.0);
        old.put("resolve_threshold", 85.0);
        old.put("for_ms", 300_000L);
        old.put("keep_firing_for_ms", 0L);
        old.put("breaches_required", null);
        old.put("evaluations_window", null);
        old.put("severity", "critical");
        old.put("labels", Map.of());
        old.put("annotations", Map.of());
        old.put("enabled", true);
        old.put("updated_at", T0);
        byte[] bytes =
                new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old).array();

        Rule decoded = Topics.RULES.codec().decode(bytes);

        assertThat(decoded.getVersion()).isEqualTo(3L);
        assertThat(decoded.getGroupLevel()).isEqualTo(GroupLevel.DC);
        assertThat(decoded.getComparator()).isEqualTo(Comparator.GE);
        assertThat(decoded.getResolveThreshold()).isEqualTo(85.0);
        assertThat(decoded.getAggregation()).isEqualTo(Aggregation.AVG);
        assertThat(decoded.getWindowMs()).isEqualTo(60_000L);
        assertThat(decoded.getOccurrences()).isEqualTo(3);
    }

    /** Decoded maps have Utf8 keys in another order; compare their sorted string form. */
    private static String normalised(Object value) {
        if (value instanceof Map<?, ?> map) {
            java.util.TreeMap<String, String> sorted = new java.util.TreeMap<>();
            map.forEach((k, v) -> sorted.put(k.toString(), normalised(v)));
            return sorted.toString();
        }
        return String.valueOf(value);
    }

    private static GenericRecord sampleRecordOf(Topic<?> topic) {
        // Every generated record can be built from its defaults plus required fields; the
        // simplest honest way to get one per topic is a specific instance per type.
        Object specific =
                switch (topic.valueClass().getSimpleName()) {
                    case "MetricSample" -> cpuSample();
                    case "MetricBatch" -> cpuBatch();
                    case "DeadLetter" ->
                            DeadLetter.newBuilder()
                                    .setSourceTopic(Topics.METRIC_SAMPLES.name())
                                    .setPartition(3)
                                    .setOffset(42L)
                                    .setReason("undecodable: test")
                                    .setRaw(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                                    .setFailedAt(T0)
                                    .build();
                    case "ClientReport" ->
                            ClientReport.newBuilder()
                                    .setAge(10)
                                    .setType("network-error")
                                    .setUrl("https://example.com/")
                                    .setBody(
                                            NelBody.newBuilder()
                                                    .setPhase("dns")
                                                    .setType("dns.name_not_resolved")
                                                    .setElapsedTime(48)
                                                    .setSamplingFraction(0.5)
                                                    .build())
                                    .build();
                    case "Rule" ->
                            Rule.newBuilder()
                                    .setId("cpu-high")
                                    .setVersion(3)
                                    .setName("HostCpuHigh")
                                    .setKind(RuleKind.THRESHOLD)
                                    .setMetric("cpu_usage")
                                    .setThreshold(0.9)
                                    .setUpdatedAt(T0)
                                    .build();
                    case "Silence" ->
                            Silence.newBuilder()
                                    .setId("s1")
                                    .setMatchers(List.of(new Matcher("host", "web-1", false, true)))
                                    .setStartsAt(T0)
                                    .setEndsAt(T0 + 3_600_000)
                                    .setCreatedBy("ops")
                                    .build();
                    case "AlertEvent" ->
                            AlertEvent.newBuilder()
                                    .setEventId("e1")
                                    .setFingerprint("f1")
                                    .setRuleId("cpu-high")
                                    .setRuleVersion(3)
                                    .setState(AlertState.FIRING)
                                    .setSeverity("critical")
                                    .setValue(0.95)
                                    .setStartsAt(T0)
                                    .setEventTime(T0)
                                    .setSequence(1)
                                    .build();
                    default ->
                            throw new IllegalStateException("no sample record for " + topic.name());
                };
        return (GenericRecord) specific;
    }

    private static Schema withAddedOptionalField(Schema schema, String name) {
        List<Schema.Field> fields = copyFields(schema, null);
        fields.add(
                new Schema.Field(
                        name,
                        Schema.createUnion(
                                Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING)),
                        "added in the next version",
                        Schema.Field.NULL_DEFAULT_VALUE));
        return Schema.createRecord(
                schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
    }

    private static Schema withoutField(Schema schema, String name) {
        return Schema.createRecord(
                schema.getName(),
                schema.getDoc(),
                schema.getNamespace(),
                false,
                copyFields(schema, name));
    }

    private static List<Schema.Field> copyFields(Schema schema, String skip) {
        List<Schema.Field> fields = new java.util.ArrayList<>();
        for (Schema.Field field : schema.getFields()) {
            if (!field.name().equals(skip)) {
                fields.add(new Schema.Field(field, field.schema()));
            }
        }
        return fields;
    }
}
