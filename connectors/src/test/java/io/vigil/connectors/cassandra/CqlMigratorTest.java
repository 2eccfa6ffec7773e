package io.vigil.connectors.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which scripts the migrator applies, given what a cluster has applied already. */
class CqlMigratorTest {

    private static final CqlScript KEYSPACE =
            CqlScript.of(
                    "V001__keyspace.cql",
                    "CREATE KEYSPACE IF NOT EXISTS k WITH replication = ${replication};");
    private static final CqlScript TABLE =
            CqlScript.of("V002__table.cql", "CREATE TABLE IF NOT EXISTS k.t (id int PRIMARY KEY);");
    private static final CqlScript INDEX =
            CqlScript.of("V003__index.cql", "CREATE INDEX IF NOT EXISTS t_by_x ON k.t (x);");
    private static final List<CqlScript> ALL = List.of(KEYSPACE, TABLE, INDEX);

    @Test
    void appliesEverythingToAnEmptyCluster() {
        assertThat(CqlMigrator.pending(ALL, Map.of())).containsExactly(KEYSPACE, TABLE, INDEX);
    }

    @Test
    void appliesOnlyWhatIsNew() {
        Map<Integer, String> applied = Map.of(1, KEYSPACE.checksum(), 2, TABLE.checksum());

        assertThat(CqlMigrator.pending(ALL, applied)).containsExactly(INDEX);
    }

    @Test
    void appliesNothingWhenUpToDate() {
        Map<Integer, String> applied =
                Map.of(1, KEYSPACE.checksum(), 2, TABLE.checksum(), 3, INDEX.checksum());

        assertThat(CqlMigrator.pending(ALL, applied)).isEmpty();
    }

    @Test
    void refusesToRunWhenAnAppliedScriptChanged() {
        CqlScript edited =
                CqlScript.of(
                        "V002__table.cql",
                        "CREATE TABLE IF NOT EXISTS k.t (id bigint PRIMARY KEY);");
        Map<Integer, String> applied = Map.of(1, KEYSPACE.checksum(), 2, TABLE.checksum());

        assertThatThrownBy(() -> CqlMigrator.pending(List.of(KEYSPACE, edited, INDEX), applied))
                .isInstanceOf(CqlMigrationException.class)
                .hasMessage(
                        "V002__table.cql was changed after it was applied (applied checksum %s,"
                                + " file checksum %s). Applied scripts must never be edited:"
                                + " restore the file and put the change in a new script,"
                                + " V004__<description>.cql",
                        TABLE.checksum(), edited.checksum());
    }

    @Test
    void toleratesVersionsAppliedByANewerBuild() {
        Map<Integer, String> applied = Map.of(1, KEYSPACE.checksum(), 9, "from-the-future");

        assertThat(CqlMigrator.pending(ALL, applied)).containsExactly(TABLE, INDEX);
    }
}
