package io.vigil.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.CqlSession;
import io.vigil.schemas.Rule;
import io.vigil.stack.LocalStack;
import io.vigil.stack.junit.SharedStackExtension;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The rule store on the real Cassandra and Kafka of the local stack: compare-and-set decides
 * between concurrent writers, an older version never becomes the topic's last word, deletes publish
 * tombstones, and a publish lost between write and Kafka is repaired by the next apply.
 */
@ExtendWith(SharedStackExtension.class)
class RuleStoreITCase {
    private static CqlSession session;
    private static KafkaRulePublisher publisher;

    @BeforeAll
    static void prepare(LocalStack stack) {
        RulesOnStack.prepare(stack);
        session = RulesOnStack.session(stack);
        publisher = new KafkaRulePublisher(RulesOnStack.kafka(stack));
    }

    @AfterAll
    static void close() {
        publisher.close();
        session.close();
    }

    private static RuleStore store(RulePublisher publisher) {
        return new RuleStore(session, publisher, Clock.systemUTC());
    }

    private static List<Rule> file(String group, double cpuThreshold) throws InvalidRulesException {
        return RuleFiles.parse(
                "test.yaml",
                RuleFilesTest.file(
                        group,
                        "alert: CpuHigh\nmetric: node_cpu_usage_ratio\nabove: "
                                + cpuThreshold
                                + "\nfor: 5m",
                        "alert: HostDown\nkind: absence\nmetric: node_cpu_usage_ratio\nfor: 2m"));
    }

    private static Rule cpu(String group, double threshold) throws InvalidRulesException {
        return file(group, threshold).get(0);
    }

    @Test
    void applyPublishesEveryRuleAndApplyingTheSameFileAgainChangesNothing(LocalStack stack)
            throws Exception {
        String group = RulesOnStack.uniqueGroup("apply");
        RuleStore store = store(publisher);

        ApplyResult first = store.apply(file(group, 0.9), "test.yaml");
        assertThat(first.changes())
                .containsExactly(
                        new RuleChange(group + ".CpuHigh", 1, RuleChange.Outcome.CREATED),
                        new RuleChange(group + ".HostDown", 1, RuleChange.Outcome.CREATED));
        ApplyResult second = store.apply(file(group, 0.9), "test.yaml");
        assertThat(second.changes())
                .containsExactly(
                        new RuleChange(group + ".CpuHigh", 1, RuleChange.Outcome.UNCHANGED),
                        new RuleChange(group + ".HostDown", 1, RuleChange.Outcome.UNCHANGED));
        ApplyResult third = store.apply(file(group, 0.95), "test.yaml");
        assertThat(third.changes())
                .containsExactly(
                        new RuleChange(group + ".CpuHigh", 2, RuleChange.Outcome.UPDATED),
                        new RuleChange(group + ".HostDown", 1, RuleChange.Outcome.UNCHANGED));

        Map<String, List<Rule>> topic = RulesOnStack.readTopic(stack, group + ".");
        assertThat(RulesOnStack.lastVersions(topic))
                .isEqualTo(Map.of(group + ".CpuHigh", 2L, group + ".HostDown", 1L));
        Rule published =
                topic.get(group + ".CpuHigh").get(topic.get(group + ".CpuHigh").size() - 1);
        assertThat(published.getThreshold()).isEqualTo(0.95);
        assertThat(store.get(group + ".CpuHigh").orElseThrow().rule()).isEqualTo(published);
        assertThat(store.list())
                .extracting(StoredRule::id)
                .contains(group + ".CpuHigh", group + ".HostDown");
    }

    @Test
    void ofConcurrentWritersOfOneVersionExactlyOneWinsAndTheOthersGetAConflict() throws Exception {
        String group = RulesOnStack.uniqueGroup("cas");
        String id = group + ".CpuHigh";
        RuleStore store = store(publisher);
        assertThat(store.put(cpu(group, 0.5), OptionalLong.of(0), "test").version()).isEqualTo(1);

        int writers = 4;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<RuleChange>> results = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            Rule mine = cpu(group, 0.6 + w / 100.0);
            results.add(
                    pool.submit(
                            () -> {
                                start.await();
                                return store.put(mine, OptionalLong.of(1), "writer");
                            }));
        }
        start.countDown();
        List<RuleChange> won = new ArrayList<>();
        List<RuleConflictException> lost = new ArrayList<>();
        for (Future<RuleChange> result : results) {
            try {
                won.add(result.get(2, TimeUnit.MINUTES));
            } catch (java.util.concurrent.ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(RuleConflictException.class);
                lost.add((RuleConflictException) e.getCause());
            }
        }
        pool.shutdown();

        assertThat(won).containsExactly(new RuleChange(id, 2, RuleChange.Outcome.UPDATED));
        assertThat(lost).hasSize(writers - 1);
        assertThat(lost)
                .allSatisfy(
                        conflict -> {
                            assertThat(conflict.expectedVersion()).isEqualTo(1);
                            assertThat(conflict.actualVersion()).isEqualTo(2);
                            assertThat(conflict)
                                    .hasMessage(
                                            "rule %s: expected version 1, but the store has version"
                                                    + " 2; read it again and retry on top of that"
                                                    + " version",
                                            id);
                        });
        assertThat(store.get(id).orElseThrow().version()).isEqualTo(2);
    }

    @Test
    void anOlderVersionNeverOverwritesANewerOneInTheStoreNorAsTheTopicsLastRecord(LocalStack stack)
            throws Exception {
        String group = RulesOnStack.uniqueGroup("older");
        String id = group + ".CpuHigh";
        RuleStore fast = store(publisher);
        fast.put(cpu(group, 0.5), OptionalLong.empty(), "test");

        // A writer holding version 1 cannot write over version 2.
        fast.put(cpu(group, 0.6), OptionalLong.of(1), "test");
        assertThatThrownBy(() -> fast.put(cpu(group, 0.7), OptionalLong.of(1), "stale"))
                .isInstanceOf(RuleConflictException.class);
        assertThat(fast.get(id).orElseThrow().rule().getThreshold()).isEqualTo(0.6);

        // Writer A stores version 3 but its publish reaches Kafka only after writer B stored and
        // published version 4: A must not leave version 3 as the rule's last record.
        GatedPublisher gate = new GatedPublisher(publisher);
        RuleStore slow = store(gate);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        Future<RuleChange> a =
                pool.submit(() -> slow.put(cpu(group, 0.8), OptionalLong.empty(), "A"));
        assertThat(gate.entered.await(2, TimeUnit.MINUTES)).isTrue();
        RuleChange b = fast.put(cpu(group, 0.9), OptionalLong.empty(), "B");
        gate.release.countDown();
        RuleChange changeOfA = a.get(2, TimeUnit.MINUTES);
        pool.shutdown();

        assertThat(changeOfA.version()).isEqualTo(3);
        assertThat(b.version()).isEqualTo(4);
        List<Long> versions =
                RulesOnStack.readTopic(stack, id).get(id).stream().map(Rule::getVersion).toList();
        // B's 4, then A's late 3, then A's correction after reading the store again.
        assertThat(versions).containsExactly(1L, 2L, 4L, 3L, 4L);
        assertThat(fast.get(id).orElseThrow().rule().getThreshold()).isEqualTo(0.9);
    }

    @Test
    void aDeletePublishesATombstoneAndARecreatedRuleContinuesItsVersions(LocalStack stack)
            throws Exception {
        String group = RulesOnStack.uniqueGroup("delete");
        String id = group + ".CpuHigh";
        RuleStore store = store(publisher);
        store.put(cpu(group, 0.5), OptionalLong.empty(), "test");

        assertThatThrownBy(() -> store.delete(id, OptionalLong.of(7), "test"))
                .isInstanceOf(RuleConflictException.class);
        assertThat(store.delete(id, OptionalLong.of(1), "test"))
                .contains(new RuleChange(id, 2, RuleChange.Outcome.DELETED));
        assertThat(store.get(id)).isEmpty();
        assertThat(store.list()).extracting(StoredRule::id).doesNotContain(id);
        assertThat(store.delete(id, OptionalLong.empty(), "test")).isEmpty();
        assertThat(RulesOnStack.lastVersions(RulesOnStack.readTopic(stack, id)))
                .containsEntry(id, -1L);

        assertThat(store.put(cpu(group, 0.5), OptionalLong.of(0), "test"))
                .isEqualTo(new RuleChange(id, 3, RuleChange.Outcome.CREATED));
        assertThat(RulesOnStack.lastVersions(RulesOnStack.readTopic(stack, id)))
                .containsEntry(id, 3L);
    }

    @Test
    void aPublishLostAfterTheWriteIsRepairedByTheNextApply(LocalStack stack) throws Exception {
        String group = RulesOnStack.uniqueGroup("repair");
        String id = group + ".CpuHigh";
        RulePublisher down =
                (ruleId, rule) -> {
                    throw new RuleStoreException("Kafka is down");
                };
        assertThatThrownBy(() -> store(down).put(cpu(group, 0.5), OptionalLong.empty(), "test"))
                .isInstanceOf(RuleStoreException.class);
        assertThat(store(publisher).get(id)).isPresent();
        assertThat(RulesOnStack.readTopic(stack, id)).isEmpty();

        ApplyResult result =
                store(publisher).apply(file(RulesOnStack.uniqueGroup("other"), 0.9), "test.yaml");
        assertThat(result.republished()).isGreaterThanOrEqualTo(1);
        assertThat(RulesOnStack.lastVersions(RulesOnStack.readTopic(stack, id)))
                .isEqualTo(Map.of(id, 1L));
    }

    @Test
    void defaultsAreCreatedAndUpdatedButNeverUndoWhatSomeoneChangedOrDeleted() throws Exception {
        String group = RulesOnStack.uniqueGroup("defaults");
        String cpu = group + ".CpuHigh";
        String down = group + ".HostDown";
        RuleStore store = store(publisher);
        String defaults = "rules/defaults.yaml";

        assertThat(store.applyDefaults(file(group, 0.9), defaults).changes())
                .extracting(RuleChange::outcome)
                .containsExactly(RuleChange.Outcome.CREATED, RuleChange.Outcome.CREATED);
        // A newer release ships another threshold: it rolls out, since nobody touched the rule.
        assertThat(store.applyDefaults(file(group, 0.92), defaults).changes())
                .containsExactly(
                        new RuleChange(cpu, 2, RuleChange.Outcome.UPDATED),
                        new RuleChange(down, 1, RuleChange.Outcome.UNCHANGED));

        // Someone tunes CpuHigh and deletes HostDown; the defaults leave both as they are.
        store.put(cpu(group, 0.97), OptionalLong.empty(), "my-rules.yaml");
        store.delete(down, OptionalLong.empty(), "cli");
        assertThat(store.applyDefaults(file(group, 0.95), defaults).changes())
                .containsExactly(
                        new RuleChange(cpu, 3, RuleChange.Outcome.KEPT),
                        new RuleChange(down, 2, RuleChange.Outcome.KEPT));
        assertThat(store.get(cpu).orElseThrow().rule().getThreshold()).isEqualTo(0.97);
        assertThat(store.get(down)).isEmpty();
    }

    /** Holds back its first publish until released, as a slow network or a paused process would. */
    private static final class GatedPublisher implements RulePublisher {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private final RulePublisher delegate;
        private boolean first = true;

        GatedPublisher(RulePublisher delegate) {
            this.delegate = delegate;
        }

        @Override
        public synchronized void publish(String id, Rule rule) {
            if (first) {
                first = false;
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RuleStoreException("interrupted", e);
                }
            }
            delegate.publish(id, rule);
        }
    }
}
