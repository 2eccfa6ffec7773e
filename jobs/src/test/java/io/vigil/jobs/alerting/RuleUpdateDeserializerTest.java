package io.vigil.jobs.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.jobs.alerting.records.RuleUpdate;
import io.vigil.schemas.DeadLetter;
import io.vigil.schemas.Rule;
import io.vigil.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.types.Either;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class RuleUpdateDeserializerTest {
    private static final Clock CLOCK =
            Clock.fixed(Instant.ofEpochMilli(TestRules.T0), ZoneOffset.UTC);

    private static Either<DeadLetter, RuleUpdate> read(String key, byte[] value) {
        List<Either<DeadLetter, RuleUpdate>> out = new ArrayList<>();
        new RuleUpdateDeserializer(CLOCK)
                .deserialize(
                        new ConsumerRecord<>(
                                Topics.RULES.name(),
                                2,
                                17L,
                                key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                                value),
                        new ListCollector<>(out));
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    @Test
    void aRuleRecordIsARuleUpdate() {
        Rule rule = TestRules.cpuAbove90().build();
        Either<DeadLetter, RuleUpdate> update = read("cpu-high", Topics.RULES.codec().encode(rule));
        assertThat(update.isRight()).isTrue();
        assertThat(update.right().isDeletion()).isFalse();
        assertThat(update.right().rule).isEqualTo(rule);
    }

    @Test
    void aTombstoneDeletesTheRuleOfItsKey() {
        Either<DeadLetter, RuleUpdate> update = read("cpu-high", null);
        assertThat(update.isRight()).isTrue();
        assertThat(update.right().isDeletion()).isTrue();
        assertThat(update.right().ruleId).isEqualTo("cpu-high");
    }

    @Test
    void badRecordsAreDeadLetters() {
        byte[] rule = Topics.RULES.codec().encode(TestRules.cpuAbove90().build());
        assertThat(read(null, rule).left().getReason()).startsWith("no-key:");
        assertThat(read("other", rule).left().getReason())
                .isEqualTo("key-mismatch: rule id 'cpu-high' under key 'other'");
        DeadLetter garbage = read("cpu-high", "garbage".getBytes(StandardCharsets.UTF_8)).left();
        assertThat(garbage.getReason()).startsWith("undecodable: not a Rule");
        assertThat(garbage.getPartition()).isEqualTo(2);
        assertThat(garbage.getOffset()).isEqualTo(17L);
        assertThat(garbage.getFailedAt()).isEqualTo(TestRules.T0);
    }
}
