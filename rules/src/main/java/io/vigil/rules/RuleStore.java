package io.vigil.rules;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.servererrors.WriteTimeoutException;
import io.vigil.schemas.AvroCodec;
import io.vigil.schemas.Rule;
import io.vigil.schemas.Topics;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rule store: rules in Cassandra's {@code vigil.rules}, written only by compare-and-set on
 * their version, and every accepted version published to the compacted topic {@code vigil.rules}.
 *
 * <pre>{@code
 * RuleStore store = new RuleStore(session, new KafkaRulePublisher(kafka), Clock.systemUTC());
 * ApplyResult result = store.apply(RuleFiles.read(file), file.toString());
 * RuleChange change = store.put(rule, OptionalLong.of(3), "api"); // RuleConflictException if not at 3
 * store.delete("host.CpuHigh", OptionalLong.empty(), "api");
 * }</pre>
 *
 * <p><b>Consistency.</b> A new rule is {@code INSERT ... IF NOT EXISTS} at version 1, a change is
 * {@code UPDATE ... IF version = <the version read>} to the next version, a delete likewise (the
 * row stays, marked deleted). Reads that decide a write are at SERIAL, so they see every accepted
 * version. A write that carries an expected version fails with {@link RuleConflictException} when
 * the store holds another; one without retries on top of the newer version (last writer wins, but
 * never by overwriting a version it did not read). A definition equal to the stored one writes
 * nothing: applying the same file twice bumps no version.
 *
 * <p><b>Publishing.</b> After a write, the store publishes what it wrote, then reads the rule again
 * at SERIAL and, if the store has moved on (another writer was faster), publishes the stored
 * version, until what it published last is what the store holds. So the last record of a rule in
 * the topic, the one compaction keeps, is always the store's latest, even when two writers'
 * publishes reach Kafka in the opposite order of their writes. If the process dies between a write
 * and its publish, the topic lacks that version until {@link #reconcile()} runs, which {@link
 * #apply} does every time (and {@code vigil up} with it): it republishes every stored rule the same
 * way. Consumers see some versions twice; they keep the highest version per rule and ignore the
 * rest.
 *
 * <p>Thread-safe if the publisher is.
 */
public final class RuleStore {
    private static final Logger LOG = LoggerFactory.getLogger(RuleStore.class);

    /** Writes retried when another writer was faster and no version was expected. */
    static final int MAX_ATTEMPTS = 5;

    /** Rounds of publish-and-verify before giving up on a rule that keeps changing. */
    static final int MAX_PUBLISH_ROUNDS = 10;

    private static final String COLUMNS =
            "rule_id, version, deleted, definition, name, kind, metric, updated_at, source";

    private final CqlSession session;
    private final RulePublisher publisher;
    private final Clock clock;
    private final AvroCodec<Rule> codec = Topics.RULES.codec();
    private final PreparedStatement insert;
    private final PreparedStatement update;
    private final PreparedStatement markDeleted;
    private final PreparedStatement selectOne;
    private final PreparedStatement selectAll;

    /**
     * @param session a session to a cluster with the {@code vigil} schema migrated (V010 or later)
     * @param publisher where accepted versions go; the caller closes it
     * @param clock stamps {@code updated_at}
     */
    public RuleStore(CqlSession session, RulePublisher publisher, Clock clock) {
        this.session = Objects.requireNonNull(session, "session");
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.insert =
                session.prepare(
                        "INSERT INTO vigil.rules ("
                                + COLUMNS
                                + ") VALUES (?, ?, false, ?, ?, ?, ?, ?, ?) IF NOT EXISTS");
        this.update =
                session.prepare(
                        "UPDATE vigil.rules SET version = ?, deleted = false, definition = ?,"
                                + " name = ?, kind = ?, metric = ?, updated_at = ?, source = ?"
                                + " WHERE rule_id = ? IF version = ?");
        this.markDeleted =
                session.prepare(
                        "UPDATE vigil.rules SET version = ?, deleted = true, updated_at = ?,"
                                + " source = ? WHERE rule_id = ? IF version = ?");
        this.selectOne =
                session.prepare("SELECT " + COLUMNS + " FROM vigil.rules WHERE rule_id = ?");
        this.selectAll = session.prepare("SELECT " + COLUMNS + " FROM vigil.rules");
    }

    /** A rule's latest version, if it exists (is not deleted); read at SERIAL. */
    public Optional<StoredRule> get(String id) {
        return read(id).filter(StoredRule::live);
    }

    /** Every live rule, by id. A range read at QUORUM: SERIAL reads are one partition each. */
    public List<StoredRule> list() {
        return all().stream().filter(StoredRule::live).toList();
    }

    /**
     * Writes a rule's definition as its next version, unless it equals the stored one.
     *
     * @param rule the definition; its version and {@code updated_at} are ignored
     * @param expectedVersion the version the writer based its change on (0: the rule must not
     *     exist); empty to write on top of whatever is stored
     * @param source where the change comes from, recorded with it
     * @throws RuleConflictException if an expected version is given and the store holds another
     */
    public RuleChange put(Rule rule, OptionalLong expectedVersion, String source) {
        String id = rule.getId();
        for (int attempt = 1; ; attempt++) {
            Optional<StoredRule> current = read(id);
            long liveVersion = current.filter(StoredRule::live).map(StoredRule::version).orElse(0L);
            if (expectedVersion.isPresent() && expectedVersion.getAsLong() != liveVersion) {
                throw new RuleConflictException(id, expectedVersion.getAsLong(), liveVersion);
            }
            if (current.isPresent()
                    && current.get().live()
                    && sameDefinition(current.get().rule(), rule)) {
                return new RuleChange(id, liveVersion, RuleChange.Outcome.UNCHANGED);
            }
            long previous = current.map(StoredRule::version).orElse(0L);
            Rule versioned =
                    Rule.newBuilder(rule)
                            .setVersion(previous + 1)
                            .setUpdatedAt(clock.millis())
                            .build();
            boolean applied =
                    current.isEmpty()
                            ? cas(id, versioned, bindInsert(versioned, source))
                            : cas(id, versioned, bindUpdate(versioned, previous, source));
            if (applied) {
                publishLatest(new StoredRule(versioned, versioned.getVersion(), false, source));
                return new RuleChange(
                        id,
                        versioned.getVersion(),
                        liveVersion == 0 ? RuleChange.Outcome.CREATED : RuleChange.Outcome.UPDATED);
            }
            long now = read(id).filter(StoredRule::live).map(StoredRule::version).orElse(0L);
            if (expectedVersion.isPresent() || attempt >= MAX_ATTEMPTS) {
                throw new RuleConflictException(id, expectedVersion.orElse(liveVersion), now);
            }
            LOG.info("Rule {} changed under us (now version {}); writing again on top", id, now);
        }
    }

    /**
     * Deletes a rule: its row is marked deleted at the next version, and a tombstone published.
     *
     * @return empty if there is no such rule
     * @throws RuleConflictException if an expected version is given and the store holds another
     */
    public Optional<RuleChange> delete(String id, OptionalLong expectedVersion, String source) {
        for (int attempt = 1; ; attempt++) {
            Optional<StoredRule> current = read(id).filter(StoredRule::live);
            if (current.isEmpty()) {
                if (expectedVersion.isPresent() && expectedVersion.getAsLong() != 0) {
                    throw new RuleConflictException(id, expectedVersion.getAsLong(), 0);
                }
                return Optional.empty();
            }
            long version = current.get().version();
            if (expectedVersion.isPresent() && expectedVersion.getAsLong() != version) {
                throw new RuleConflictException(id, expectedVersion.getAsLong(), version);
            }
            Rule tombstone =
                    Rule.newBuilder(current.get().rule())
                            .setVersion(version + 1)
                            .setUpdatedAt(clock.millis())
                            .build();
            BoundStatement statement =
                    markDeleted.bind(
                            version + 1,
                            Instant.ofEpochMilli(tombstone.getUpdatedAt()),
                            source,
                            id,
                            version);
            if (cas(id, tombstone, statement)) {
                publishLatest(new StoredRule(tombstone, version + 1, true, source));
                return Optional.of(new RuleChange(id, version + 1, RuleChange.Outcome.DELETED));
            }
            if (expectedVersion.isPresent() || attempt >= MAX_ATTEMPTS) {
                throw new RuleConflictException(
                        id,
                        expectedVersion.orElse(version),
                        read(id).filter(StoredRule::live).map(StoredRule::version).orElse(0L));
            }
        }
    }

    /**
     * Writes every rule of a file (see {@link #put}, without expected versions), then {@link
     * #reconcile() republishes} the rules it did not just publish, repairing any publish an earlier
     * writer did not finish. Rules the file does not mention are left alone.
     */
    public ApplyResult apply(List<Rule> rules, String source) {
        List<RuleChange> changes = new ArrayList<>();
        Set<String> published = new HashSet<>();
        for (Rule rule : rules) {
            RuleChange change = put(rule, OptionalLong.empty(), source);
            changes.add(change);
            if (change.outcome() != RuleChange.Outcome.UNCHANGED) {
                published.add(change.id());
            }
        }
        int republished = reconcile(published);
        return new ApplyResult(changes, republished);
    }

    /**
     * Applies rules shipped with Vigil (see {@code RuleFiles.defaults()}) without undoing what
     * people did to them: a rule is created if it never existed, updated only if its stored version
     * came from {@code source} itself (so a newer release's defaults roll out), and otherwise left
     * alone ({@link RuleChange.Outcome#KEPT}): a default someone changed or deleted stays changed
     * or deleted. Then republishes, as {@link #apply} does.
     */
    public ApplyResult applyDefaults(List<Rule> rules, String source) {
        List<RuleChange> changes = new ArrayList<>();
        Set<String> published = new HashSet<>();
        for (Rule rule : rules) {
            Optional<StoredRule> current = read(rule.getId());
            boolean ours =
                    current.isEmpty()
                            || (current.get().live() && source.equals(current.get().source()));
            RuleChange change;
            try {
                change =
                        ours
                                ? put(
                                        rule,
                                        OptionalLong.of(
                                                current.map(StoredRule::version).orElse(0L)),
                                        source)
                                : new RuleChange(
                                        rule.getId(),
                                        current.get().version(),
                                        RuleChange.Outcome.KEPT);
            } catch (RuleConflictException e) {
                // Someone wrote the rule between our read and our write: theirs stands.
                change = new RuleChange(rule.getId(), e.actualVersion(), RuleChange.Outcome.KEPT);
            }
            changes.add(change);
            if (change.outcome() == RuleChange.Outcome.CREATED
                    || change.outcome() == RuleChange.Outcome.UPDATED) {
                published.add(change.id());
            }
        }
        return new ApplyResult(changes, reconcile(published));
    }

    /**
     * Publishes every stored rule (a tombstone for a deleted one) and verifies, as after a write,
     * that the topic ends with the stored version.
     *
     * @return how many rules were published
     */
    public int reconcile() {
        return reconcile(Set.of());
    }

    private int reconcile(Set<String> skip) {
        int count = 0;
        for (StoredRule row : all()) {
            if (!skip.contains(row.id())) {
                publishLatest(row);
                count++;
            }
        }
        return count;
    }

    /**
     * Publishes {@code written}, then reads the rule at SERIAL and publishes what the store holds
     * until the two agree. Why this is enough: the record a later writer publishes is sent after
     * its write, and so after our verifying read if that read missed it; whichever publish comes
     * last in the log was followed by a read that found nothing newer.
     */
    private void publishLatest(StoredRule written) {
        StoredRule published = written;
        publisher.publish(published.id(), published.live() ? published.rule() : null);
        for (int round = 1; round <= MAX_PUBLISH_ROUNDS; round++) {
            Optional<StoredRule> stored = read(published.id());
            if (stored.isEmpty() || stored.get().version() == published.version()) {
                return;
            }
            LOG.info(
                    "Rule {} moved from version {} to {} while publishing; publishing {}",
                    published.id(),
                    published.version(),
                    stored.get().version(),
                    stored.get().version());
            published = stored.get();
            publisher.publish(published.id(), published.live() ? published.rule() : null);
        }
        throw new RuleStoreException(
                String.format(
                        "Rule %s kept changing while it was published; the next apply publishes"
                                + " its latest version",
                        published.id()));
    }

    /**
     * Runs a conditional write. A CAS write that timed out may still have been applied: a SERIAL
     * read settles any unfinished round, and tells whether our version is the stored one.
     */
    private boolean cas(String id, Rule versioned, BoundStatement statement) {
        try {
            ResultSet result = session.execute(serial(statement));
            return result.wasApplied();
        } catch (WriteTimeoutException e) {
            Optional<StoredRule> stored = read(id);
            boolean ours =
                    stored.isPresent()
                            && stored.get().version() == versioned.getVersion()
                            && stored.get().rule().getUpdatedAt() == versioned.getUpdatedAt();
            LOG.warn(
                    "Conditional write of rule {} version {} timed out; it was {}applied",
                    id,
                    versioned.getVersion(),
                    ours ? "" : "not ");
            return ours;
        }
    }

    private BoundStatement bindInsert(Rule rule, String source) {
        return insert.bind(
                rule.getId(),
                rule.getVersion(),
                ByteBuffer.wrap(codec.encode(rule)),
                rule.getName(),
                rule.getKind().name(),
                rule.getMetric(),
                Instant.ofEpochMilli(rule.getUpdatedAt()),
                source);
    }

    private BoundStatement bindUpdate(Rule rule, long previousVersion, String source) {
        return update.bind(
                rule.getVersion(),
                ByteBuffer.wrap(codec.encode(rule)),
                rule.getName(),
                rule.getKind().name(),
                rule.getMetric(),
                Instant.ofEpochMilli(rule.getUpdatedAt()),
                source,
                rule.getId(),
                previousVersion);
    }

    /** The row of a rule, deleted or not, read at SERIAL: it sees every accepted write. */
    private Optional<StoredRule> read(String id) {
        Row row =
                session.execute(
                                selectOne
                                        .bind(id)
                                        .setConsistencyLevel(DefaultConsistencyLevel.SERIAL))
                        .one();
        return Optional.ofNullable(row).map(this::toStoredRule);
    }

    private List<StoredRule> all() {
        List<StoredRule> rows = new ArrayList<>();
        for (Row row :
                session.execute(
                        selectAll.bind().setConsistencyLevel(DefaultConsistencyLevel.QUORUM))) {
            rows.add(toStoredRule(row));
        }
        rows.sort(Comparator.comparing(StoredRule::id));
        return rows;
    }

    private StoredRule toStoredRule(Row row) {
        ByteBuffer bytes = row.getByteBuffer("definition");
        byte[] definition = new byte[bytes.remaining()];
        bytes.duplicate().get(definition);
        Rule rule;
        try {
            rule = codec.decode(definition);
        } catch (AvroCodec.DecodeException e) {
            throw new RuleStoreException(
                    String.format(
                            "Rule %s in vigil.rules is unreadable: %s",
                            row.getString("rule_id"), e.getMessage()),
                    e);
        }
        long version = row.getLong("version");
        // A deleted row keeps its last definition; version and time are the delete's.
        Instant updatedAt = row.getInstant("updated_at");
        return new StoredRule(
                Rule.newBuilder(rule)
                        .setVersion(version)
                        .setUpdatedAt(
                                updatedAt == null ? rule.getUpdatedAt() : updatedAt.toEpochMilli())
                        .build(),
                version,
                row.getBoolean("deleted"),
                row.getString("source"));
    }

    private static BoundStatement serial(BoundStatement statement) {
        return statement
                .setSerialConsistencyLevel(DefaultConsistencyLevel.SERIAL)
                .setConsistencyLevel(DefaultConsistencyLevel.QUORUM);
    }

    /** Whether two rules define the same thing, whatever their versions and times. */
    static boolean sameDefinition(Rule a, Rule b) {
        return unversioned(a).equals(unversioned(b));
    }

    private static Rule unversioned(Rule rule) {
        return Rule.newBuilder(rule).setVersion(0).setUpdatedAt(0).build();
    }
}
