package io.vigil.jobs.alerting;

import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatementBuilder;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import io.vigil.connectors.cassandra.CassandraSink;
import io.vigil.schemas.AlertEvent;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.apache.flink.configuration.ReadableConfig;

/**
 * How an {@link AlertEvent} becomes rows of {@code vigil.alert_history} and {@code
 * vigil.alerts_by_day}. Both key the row by the event's deterministic id, so a replayed event
 * overwrites its own row. An active alert's {@code ends_at} is left unset rather than written as
 * null, which would be a tombstone per row.
 */
public final class AlertRows {
    private static final String HISTORY =
            "INSERT INTO alert_history (fingerprint, event_time, event_id, rule_id, rule_version,"
                    + " state, severity, labels, annotations, value, starts_at, ends_at, sequence)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private static final String BY_DAY =
            "INSERT INTO alerts_by_day (day, event_time, fingerprint, event_id, rule_id, state,"
                    + " severity, labels, value) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private AlertRows() {}

    /** The sink of {@code alert_history}, configured by the Cassandra sink options. */
    public static CassandraSink<AlertEvent> historySink(ReadableConfig options) {
        return CassandraSink.<AlertEvent>builder()
                .options(options)
                .keyspace("vigil")
                .statement(HISTORY)
                .binder(AlertRows::history)
                .build();
    }

    /** The sink of {@code alerts_by_day}, configured by the Cassandra sink options. */
    public static CassandraSink<AlertEvent> byDaySink(ReadableConfig options) {
        return CassandraSink.<AlertEvent>builder()
                .options(options)
                .keyspace("vigil")
                .statement(BY_DAY)
                .binder(AlertRows::byDay)
                .build();
    }

    static BoundStatement history(PreparedStatement statement, AlertEvent event) {
        BoundStatementBuilder row =
                statement
                        .boundStatementBuilder()
                        .setString(0, event.getFingerprint())
                        .setInstant(1, Instant.ofEpochMilli(event.getEventTime()))
                        .setString(2, event.getEventId())
                        .setString(3, event.getRuleId())
                        .setLong(4, event.getRuleVersion())
                        .setString(5, event.getState().name())
                        .setString(6, event.getSeverity())
                        .setMap(7, event.getLabels(), String.class, String.class)
                        .setMap(8, event.getAnnotations(), String.class, String.class)
                        .setDouble(9, event.getValue())
                        .setInstant(10, Instant.ofEpochMilli(event.getStartsAt()))
                        .setLong(12, event.getSequence());
        row =
                event.getEndsAt() == null
                        ? row.unset(11)
                        : row.setInstant(11, Instant.ofEpochMilli(event.getEndsAt()));
        return row.build();
    }

    static BoundStatement byDay(PreparedStatement statement, AlertEvent event) {
        Instant eventTime = Instant.ofEpochMilli(event.getEventTime());
        return statement
                .boundStatementBuilder()
                .setLocalDate(0, LocalDate.ofInstant(eventTime, ZoneOffset.UTC))
                .setInstant(1, eventTime)
                .setString(2, event.getFingerprint())
                .setString(3, event.getEventId())
                .setString(4, event.getRuleId())
                .setString(5, event.getState().name())
                .setString(6, event.getSeverity())
                .setMap(7, event.getLabels(), String.class, String.class)
                .setDouble(8, event.getValue())
                .build();
    }
}
