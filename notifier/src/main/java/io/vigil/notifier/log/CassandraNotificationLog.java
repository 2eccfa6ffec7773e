package io.vigil.notifier.log;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The notification log in Cassandra's {@code vigil.notification_log} (see {@code
 * V011__notifier.cql}), made linearizable with lightweight transactions.
 *
 * <p>All rows of one notification share a partition ({@code (integration, group_key)}), so a claim
 * is one conditional batch: one Paxos round whatever the number of events, applied entirely or not
 * at all. New events are inserted {@code IF NOT EXISTS}; events whose owner's lease ran out are
 * taken over {@code IF owner = ? AND lease_until = ?}, so of two replicas taking over the same
 * claim exactly one wins. Reads before a claim are SERIAL, so they see every committed claim.
 */
public final class CassandraNotificationLog implements NotificationLog {

    static final String CLAIMED = "CLAIMED";
    static final String DELIVERED = "DELIVERED";

    /** A claim lost to a concurrent one is re-read and tried this often before reporting busy. */
    private static final int CONTENDED_ATTEMPTS = 5;

    private final CqlSession session;
    private final PreparedStatement read;
    private final PreparedStatement insert;
    private final PreparedStatement takeOver;
    private final PreparedStatement renew;
    private final PreparedStatement deliver;

    /**
     * Prepares the statements; the session must reach a cluster where the schema is applied. The
     * caller keeps ownership of the session.
     */
    /**
     * How many notifications were delivered since {@code since}, for a status display: distinct
     * notification ids with a row marked delivered at or after it (a notification has one row per
     * alert event it announced). Reads the whole table, which a local stack keeps small; a fleet's
     * notifier would count in its metrics instead.
     */
    public static long countDelivered(CqlSession session, Instant since) {
        Set<String> delivered = new HashSet<>();
        for (Row row :
                session.execute(
                        "SELECT notification_id, state, delivered_at FROM"
                                + " vigil.notification_log")) {
            Instant at = row.getInstant("delivered_at");
            if (DELIVERED.equals(row.getString("state")) && at != null && !at.isBefore(since)) {
                delivered.add(row.getString("notification_id"));
            }
        }
        return delivered.size();
    }

    public CassandraNotificationLog(CqlSession session) {
        this.session = session;
        this.read =
                session.prepare(
                        "SELECT event_id, state, owner, lease_until FROM vigil.notification_log"
                                + " WHERE integration = ? AND group_key = ? AND event_id IN ?");
        this.insert =
                session.prepare(
                        "INSERT INTO vigil.notification_log (integration, group_key, event_id,"
                                + " notification_id, fingerprint, state, owner, lease_until,"
                                + " claimed_at) VALUES (?, ?, ?, ?, ?, 'CLAIMED', ?, ?, ?)"
                                + " IF NOT EXISTS");
        this.takeOver =
                session.prepare(
                        "UPDATE vigil.notification_log SET notification_id = ?, owner = ?,"
                                + " lease_until = ?, claimed_at = ? WHERE integration = ? AND"
                                + " group_key = ? AND event_id = ? IF state = 'CLAIMED' AND"
                                + " owner = ? AND lease_until = ?");
        this.renew =
                session.prepare(
                        "UPDATE vigil.notification_log SET lease_until = ? WHERE integration = ?"
                                + " AND group_key = ? AND event_id = ? IF state = 'CLAIMED' AND"
                                + " owner = ?");
        this.deliver =
                session.prepare(
                        "UPDATE vigil.notification_log SET state = 'DELIVERED', delivered_at = ?"
                                + " WHERE integration = ? AND group_key = ? AND event_id = ? IF"
                                + " state = 'CLAIMED'");
    }

    @Override
    public ClaimResult claim(ClaimRequest request) {
        for (int attempt = 1; ; attempt++) {
            ClaimResult result = tryClaim(request);
            if (result != null) {
                return result;
            }
            if (attempt == CONTENDED_ATTEMPTS) {
                return new Busy("a concurrent claim", request.now().plusMillis(200));
            }
        }
    }

    /** One read-then-claim round; null if a concurrent claim changed the rows in between. */
    private ClaimResult tryClaim(ClaimRequest request) {
        Map<String, Row> existing = new HashMap<>();
        ResultSet rows =
                session.execute(
                        read.bind(
                                        request.integration(),
                                        request.groupKey(),
                                        new ArrayList<>(
                                                new TreeSet<>(
                                                        request.fingerprintsByEventId().keySet())))
                                .setConsistencyLevel(ConsistencyLevel.SERIAL));
        for (Row row : rows) {
            existing.put(row.getString("event_id"), row);
        }
        Instant leaseUntil = request.now().plus(request.lease());
        BatchStatementBuilder batch = BatchStatement.builder(BatchType.LOGGED);
        Set<String> claimed = new TreeSet<>();
        Busy busy = null;
        for (Map.Entry<String, String> event :
                new java.util.TreeMap<>(request.fingerprintsByEventId()).entrySet()) {
            String eventId = event.getKey();
            Row row = existing.get(eventId);
            if (row == null) {
                batch.addStatement(
                        insert.bind(
                                request.integration(),
                                request.groupKey(),
                                eventId,
                                request.notificationId(),
                                event.getValue(),
                                request.owner(),
                                leaseUntil,
                                request.now()));
                claimed.add(eventId);
                continue;
            }
            if (DELIVERED.equals(row.getString("state"))) {
                continue;
            }
            Instant otherLease = row.getInstant("lease_until");
            String otherOwner = row.getString("owner");
            if (!otherOwner.equals(request.owner()) && otherLease.isAfter(request.now())) {
                if (busy == null || otherLease.isAfter(busy.until())) {
                    busy = new Busy(otherOwner, otherLease);
                }
                continue;
            }
            batch.addStatement(
                    takeOver.bind(
                            request.notificationId(),
                            request.owner(),
                            leaseUntil,
                            request.now(),
                            request.integration(),
                            request.groupKey(),
                            eventId,
                            otherOwner,
                            otherLease));
            claimed.add(eventId);
        }
        if (busy != null) {
            return busy;
        }
        if (claimed.isEmpty()) {
            return new AlreadyDelivered();
        }
        if (!session.execute(withSerial(batch.build())).wasApplied()) {
            return null;
        }
        return new Claimed(
                new Claim(
                        request.integration(),
                        request.groupKey(),
                        request.notificationId(),
                        claimed,
                        request.owner(),
                        leaseUntil));
    }

    @Override
    public Claim renew(Claim claim, Instant now, Duration lease) {
        Instant until = now.plus(lease);
        BatchStatementBuilder batch = BatchStatement.builder(BatchType.LOGGED);
        for (String eventId : new TreeSet<>(claim.eventIds())) {
            batch.addStatement(
                    renew.bind(
                            until, claim.integration(), claim.groupKey(), eventId, claim.owner()));
        }
        return session.execute(withSerial(batch.build())).wasApplied()
                ? claim.withLeaseUntil(until)
                : null;
    }

    @Override
    public boolean markDelivered(Claim claim, Instant now) {
        // Conditioned on the state only, not the owner: if our lease ran out and another replica
        // took over but has not delivered yet, this makes its next renewal fail, so it does not
        // deliver a second time.
        List<String> eventIds = new ArrayList<>(new TreeSet<>(claim.eventIds()));
        BatchStatementBuilder batch = BatchStatement.builder(BatchType.LOGGED);
        for (String eventId : eventIds) {
            batch.addStatement(deliver.bind(now, claim.integration(), claim.groupKey(), eventId));
        }
        if (session.execute(withSerial(batch.build())).wasApplied()) {
            return true;
        }
        // Some rows were delivered by another owner; mark the rest on their own.
        boolean clean = true;
        for (String eventId : eventIds) {
            boolean applied =
                    session.execute(
                                    withSerial(
                                            deliver.bind(
                                                    now,
                                                    claim.integration(),
                                                    claim.groupKey(),
                                                    eventId)))
                            .wasApplied();
            clean &= applied;
        }
        return clean;
    }

    private static <T extends com.datastax.oss.driver.api.core.cql.Statement<T>> T withSerial(
            T statement) {
        return statement
                .setSerialConsistencyLevel(ConsistencyLevel.SERIAL)
                .setConsistencyLevel(ConsistencyLevel.QUORUM);
    }
}
