package io.vigil.jobs.alerting;

import io.vigil.connectors.kafka.DeadLetters;
import io.vigil.jobs.alerting.records.RuleUpdate;
import io.vigil.schemas.AvroCodec;
import io.vigil.schemas.DeadLetter;
import io.vigil.schemas.Rule;
import io.vigil.schemas.Topics;
import java.time.Clock;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads the compacted rules topic, tombstones included, and never throws on data.
 *
 * <p>The generic {@code DecodingDeserializer} treats a record without a value as undecodable; on
 * {@code vigil.rules} a null value is a tombstone, the deletion of the rule its key names, and
 * becomes {@link RuleUpdate#deletion}. A record without a key, one that does not decode, or a rule
 * whose id differs from its key (compaction keeps one record per key, so the two must agree)
 * becomes a dead letter with the reason.
 */
public final class RuleUpdateDeserializer
        implements KafkaRecordDeserializationSchema<Either<DeadLetter, RuleUpdate>> {
    private static final long serialVersionUID = 1L;

    private final AvroCodec<Rule> codec = Topics.RULES.codec();
    private final Clock clock;

    public RuleUpdateDeserializer() {
        this(Clock.systemUTC());
    }

    RuleUpdateDeserializer(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void deserialize(
            ConsumerRecord<byte[], byte[]> record, Collector<Either<DeadLetter, RuleUpdate>> out) {
        if (record.key() == null) {
            out.collect(
                    Either.Left(deadLetter(record, "no-key: a rule record needs its id as key")));
            return;
        }
        String ruleId = (String) Topics.RULES.keyFormat().decode(record.key());
        if (record.value() == null) {
            out.collect(Either.Right(RuleUpdate.deletion(ruleId)));
            return;
        }
        Rule rule;
        try {
            rule = codec.decode(record.value());
        } catch (AvroCodec.DecodeException e) {
            out.collect(Either.Left(deadLetter(record, e.getMessage())));
            return;
        }
        if (!rule.getId().equals(ruleId)) {
            out.collect(
                    Either.Left(
                            deadLetter(
                                    record,
                                    String.format(
                                            "key-mismatch: rule id '%s' under key '%s'",
                                            rule.getId(), ruleId))));
            return;
        }
        out.collect(Either.Right(RuleUpdate.of(rule)));
    }

    private DeadLetter deadLetter(ConsumerRecord<byte[], byte[]> record, String reason) {
        return DeadLetters.of(
                Topics.RULES,
                record.partition(),
                record.offset(),
                reason,
                record.key(),
                record.value(),
                clock.millis());
    }

    @Override
    public TypeInformation<Either<DeadLetter, RuleUpdate>> getProducedType() {
        return new EitherTypeInfo<>(new AvroTypeInfo<>(DeadLetter.class), RuleUpdate.TYPE);
    }
}
