package io.vigil.notifier.silence;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.vigil.notifier.routing.LabelMatcher;
import io.vigil.schemas.Silence;
import io.vigil.schemas.Topics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Creates, lists and expires silences: Cassandra's {@code vigil.silences} is the store of record,
 * and every change is then published to the compacted topic {@code vigil.silences}, from which
 * every notifier replica builds its {@link SilenceRegistry}. Writing Cassandra first means a
 * silence the API confirmed survives a lost Kafka write: the next change, or {@link
 * #republishActive}, publishes it again.
 */
public final class SilenceStore implements SilenceStorage {

    private final CqlSession session;
    private final Producer<byte[], byte[]> producer;
    private final PreparedStatement upsert;
    private final PreparedStatement selectOne;
    private final PreparedStatement selectAll;

    /** The caller keeps ownership of the session and the producer. */
    public SilenceStore(CqlSession session, Producer<byte[], byte[]> producer) {
        this.session = session;
        this.producer = producer;
        this.upsert =
                session.prepare(
                        "INSERT INTO vigil.silences (id, version, matchers, starts_at, ends_at,"
                                + " created_by, comment, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?,"
                                + " ?)");
        this.selectOne =
                session.prepare(
                        "SELECT id, version, matchers, starts_at, ends_at, created_by, comment"
                                + " FROM vigil.silences WHERE id = ?");
        this.selectAll =
                session.prepare(
                        "SELECT id, version, matchers, starts_at, ends_at, created_by, comment"
                                + " FROM vigil.silences");
    }

    /** Stores a validated silence and publishes it. */
    @Override
    public void save(Silence silence, Instant now) {
        List<String> matchers =
                Silences.matchers(silence).stream().map(LabelMatcher::toString).toList();
        session.execute(
                upsert.bind(
                                silence.getId(),
                                silence.getVersion(),
                                matchers,
                                Instant.ofEpochMilli(silence.getStartsAt()),
                                Instant.ofEpochMilli(silence.getEndsAt()),
                                silence.getCreatedBy(),
                                silence.getComment(),
                                now)
                        .setConsistencyLevel(ConsistencyLevel.QUORUM));
        publish(silence.getId(), silence.getEndsAt() > now.toEpochMilli() ? silence : null);
    }

    /**
     * Expires a silence now: its end becomes {@code now} in the store and a tombstone goes to the
     * topic.
     *
     * @return the expired silence, or empty if there is none with that id
     */
    @Override
    public Optional<Silence> expire(String id, Instant now) {
        Optional<Silence> existing = get(id);
        if (existing.isEmpty()) {
            return existing;
        }
        Silence silence = existing.get();
        Silence expired =
                Silence.newBuilder(silence)
                        .setVersion(silence.getVersion() + 1)
                        .setEndsAt(Math.min(silence.getEndsAt(), now.toEpochMilli()))
                        .setStartsAt(Math.min(silence.getStartsAt(), now.toEpochMilli()))
                        .build();
        session.execute(
                upsert.bind(
                                expired.getId(),
                                expired.getVersion(),
                                Silences.matchers(expired).stream()
                                        .map(LabelMatcher::toString)
                                        .toList(),
                                Instant.ofEpochMilli(expired.getStartsAt()),
                                Instant.ofEpochMilli(expired.getEndsAt()),
                                expired.getCreatedBy(),
                                expired.getComment(),
                                now)
                        .setConsistencyLevel(ConsistencyLevel.QUORUM));
        publish(id, null);
        return Optional.of(expired);
    }

    @Override
    public Optional<Silence> get(String id) {
        Row row = session.execute(selectOne.bind(id)).one();
        return row == null ? Optional.empty() : Optional.of(fromRow(row));
    }

    @Override
    public List<Silence> list() {
        List<Silence> silences = new ArrayList<>();
        for (Row row : session.execute(selectAll.bind())) {
            silences.add(fromRow(row));
        }
        return silences;
    }

    /** Publishes every silence still in force, e.g. after the topic was lost or recreated. */
    public int republishActive(Instant now) {
        int published = 0;
        for (Silence silence : list()) {
            if (silence.getEndsAt() > now.toEpochMilli()) {
                publish(silence.getId(), silence);
                published++;
            }
        }
        return published;
    }

    private void publish(String id, Silence silence) {
        byte[] value = silence == null ? null : Topics.SILENCES.codec().encode(silence);
        try {
            producer.send(
                            new ProducerRecord<>(
                                    Topics.SILENCES.name(),
                                    Topics.SILENCES.keyFormat().encode(id),
                                    value))
                    .get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(
                    String.format(
                            "silence %s is stored but could not be published to %s: %s",
                            id, Topics.SILENCES, e.getMessage()),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing silence " + id, e);
        }
    }

    private static Silence fromRow(Row row) {
        List<io.vigil.schemas.Matcher> matchers = new ArrayList<>();
        for (String text : row.getList("matchers", String.class)) {
            matchers.add(Silences.toAvro(LabelMatcher.parse(text)));
        }
        return Silence.newBuilder()
                .setId(row.getString("id"))
                .setVersion(row.getLong("version"))
                .setMatchers(matchers)
                .setStartsAt(row.getInstant("starts_at").toEpochMilli())
                .setEndsAt(row.getInstant("ends_at").toEpochMilli())
                .setCreatedBy(row.getString("created_by"))
                .setComment(row.getString("comment") == null ? "" : row.getString("comment"))
                .build();
    }
}
