package io.vigil.connectors.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.vigil.stack.LocalStack;
import io.vigil.stack.junit.SharedStackExtension;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Retention against the real Cassandra node of the local stack: tables are altered to the asked
 * time to live and compaction window, and only when they differ. Uses a keyspace of its own, so the
 * {@code vigil} tables other tests share keep their settings.
 */
@ExtendWith(SharedStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TableRetentionITCase {
    private static final String KEYSPACE = "vigil_retention_it";

    private CqlSession session;

    @BeforeAll
    void connect(LocalStack stack) {
        session = StackSessions.withKeyspace(stack, KEYSPACE);
        session.execute(String.format("DROP TABLE IF EXISTS %s.hourly", KEYSPACE));
        // As V004 creates rollups_1h, but with the 30-day settings of the minute tables.
        session.execute(
                String.format(
                        "CREATE TABLE %s.hourly (id bigint, ts timestamp, value double,"
                                + " PRIMARY KEY (id, ts)) WITH compaction = {'class':"
                                + " 'TimeWindowCompactionStrategy', 'compaction_window_unit':"
                                + " 'DAYS', 'compaction_window_size': 1} AND"
                                + " default_time_to_live = 2592000",
                        KEYSPACE));
    }

    @AfterAll
    void disconnect() {
        if (session != null) {
            session.close();
        }
    }

    @Test
    void altersATableToTheAskedRetentionOnceAndThenLeavesItAlone() {
        TableRetention twoYears =
                TableRetention.of(KEYSPACE, Map.of("hourly", Duration.ofDays(730)));

        assertThat(twoYears.apply(session))
                .singleElement()
                .asString()
                .contains(KEYSPACE + ".hourly")
                .contains("PT720H -> PT17520H")
                .contains("1 DAYS -> 25 DAYS");

        Row settings =
                session.execute(
                                "SELECT default_time_to_live, compaction FROM system_schema.tables"
                                        + " WHERE keyspace_name = ? AND table_name = 'hourly'",
                                KEYSPACE)
                        .one();
        assertThat(settings.getInt("default_time_to_live")).isEqualTo(730 * 86_400);
        assertThat(settings.getMap("compaction", String.class, String.class))
                .containsEntry("compaction_window_unit", "DAYS")
                .containsEntry("compaction_window_size", "25")
                .hasEntrySatisfying(
                        "class", c -> assertThat(c).endsWith("TimeWindowCompactionStrategy"));

        assertThat(twoYears.apply(session)).isEmpty();
    }

    @Test
    void saysWhichTableIsMissing() {
        TableRetention missing =
                TableRetention.of(KEYSPACE, Map.of("no_such_table", Duration.ofDays(30)));

        assertThatThrownBy(() -> missing.apply(session))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(KEYSPACE + ".no_such_table")
                .hasMessageContaining("CqlMigrator");
    }
}
