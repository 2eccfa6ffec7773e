package io.vigil.connectors.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parsing of schema files: names, statements, comments, placeholders and checksums. */
class CqlScriptTest {

    private static final Map<String, String> NO_PLACEHOLDERS = Map.of();

    @Test
    void takesVersionAndDescriptionFromTheFileName() {
        CqlScript script =
                CqlScript.of(
                        "V012__alert_rules.cql",
                        "CREATE TABLE IF NOT EXISTS a (k int PRIMARY KEY);");

        assertThat(script.version()).isEqualTo(12);
        assertThat(script.description()).isEqualTo("alert rules");
        assertThat(script.fileName()).isEqualTo("V012__alert_rules.cql");
    }

    @Test
    void rejectsFilesNotNamedByConvention() {
        assertThat(List.of("V1__x.cql", "V001_x.cql", "V001__x.sql", "001__x.cql", "V001__.cql"))
                .allSatisfy(
                        name ->
                                assertThatThrownBy(() -> CqlScript.of(name, "SELECT 1;"))
                                        .isInstanceOf(CqlMigrationException.class)
                                        .hasMessageContaining("is not named V<3-digit version>"));
    }

    @Test
    void splitsStatementsAtSemicolonsEndingALineAndDropsComments() {
        String content =
                String.join(
                        "\n",
                        "-- a file comment",
                        "CREATE TABLE IF NOT EXISTS a (",
                        "  k int PRIMARY KEY, -- the key",
                        "  v text",
                        ");",
                        "",
                        "CREATE INDEX IF NOT EXISTS a_v ON a (v);   ",
                        "-- trailing comment");

        assertThat(CqlScript.of("V001__a.cql", content).statements(NO_PLACEHOLDERS))
                .containsExactly(
                        "CREATE TABLE IF NOT EXISTS a (\n  k int PRIMARY KEY,\n  v text\n)",
                        "CREATE INDEX IF NOT EXISTS a_v ON a (v)");
    }

    @Test
    void keepsDashesAndSemicolonsInsideQuotedStrings() {
        String content =
                String.join(
                        "\n",
                        "CREATE TABLE IF NOT EXISTS a (k int PRIMARY KEY)",
                        "  WITH comment = 'it''s -- not a comment;",
                        "and spans lines; really';");

        assertThat(CqlScript.of("V001__a.cql", content).statements(NO_PLACEHOLDERS))
                .containsExactly(
                        "CREATE TABLE IF NOT EXISTS a (k int PRIMARY KEY)\n"
                                + "  WITH comment = 'it''s -- not a comment;\n"
                                + "and spans lines; really'");
    }

    @Test
    void replacesPlaceholdersWhenRendering() {
        CqlScript script =
                CqlScript.of(
                        "V001__keyspace.cql",
                        "-- ${replication} in a comment needs no value\n"
                            + "CREATE KEYSPACE IF NOT EXISTS k WITH replication = ${replication};");

        assertThat(
                        script.statements(
                                Map.of(
                                        "replication",
                                        "{'class': 'NetworkTopologyStrategy', 'dc1': 3}")))
                .containsExactly(
                        "CREATE KEYSPACE IF NOT EXISTS k WITH replication = {'class':"
                                + " 'NetworkTopologyStrategy', 'dc1': 3}");
    }

    @Test
    void namesAMissingPlaceholder() {
        CqlScript script =
                CqlScript.of(
                        "V001__keyspace.cql",
                        "CREATE KEYSPACE IF NOT EXISTS k WITH replication = ${replication};");

        assertThatThrownBy(() -> script.statements(Map.of("other", "x")))
                .isInstanceOf(CqlMigrationException.class)
                .hasMessage(
                        "V001__keyspace.cql uses placeholder ${replication}, but no value was given"
                                + " for it (given: [other])");
    }

    @Test
    void checksumCoversTheFileAsWrittenIgnoringLineEndings() {
        String content = "CREATE TABLE IF NOT EXISTS a (k int PRIMARY KEY);\n";
        CqlScript script = CqlScript.of("V001__a.cql", content);

        assertThat(script.checksum()).hasSize(64).matches("[0-9a-f]+");
        assertThat(CqlScript.of("V001__a.cql", content.replace("\n", "\r\n")).checksum())
                .isEqualTo(script.checksum());
        assertThat(CqlScript.of("V001__a.cql", "-- why\n" + content).checksum())
                .isNotEqualTo(script.checksum());
        // Placeholder values are not part of the checksum, so environments agree on it.
        assertThat(CqlScript.of("V001__a.cql", content).checksum()).isEqualTo(script.checksum());
    }

    @Test
    void refusesCreateWithoutIfNotExists() {
        assertThatThrownBy(
                        () -> CqlScript.of("V003__a.cql", "\nCREATE TABLE a (k int PRIMARY KEY);"))
                .isInstanceOf(CqlMigrationException.class)
                .hasMessage(
                        "V003__a.cql, statement ending on line 2: CREATE without IF NOT EXISTS;"
                            + " every statement must be safe to run twice: CREATE TABLE a (k int"
                            + " PRIMARY KEY)");
    }

    @Test
    void refusesUnterminatedStatementsAndEmptyFiles() {
        assertThatThrownBy(
                        () ->
                                CqlScript.of(
                                        "V003__a.cql",
                                        "CREATE TABLE IF NOT EXISTS a (k int PRIMARY KEY)"))
                .hasMessageContaining("not terminated by ';' at the end of a line");
        assertThatThrownBy(
                        () ->
                                CqlScript.of(
                                        "V003__a.cql",
                                        "CREATE TABLE IF NOT EXISTS a (k int PRIMARY KEY); -- x\n"
                                                + "SELECT 'open;"))
                .hasMessageContaining("ends inside a quoted string");
        assertThatThrownBy(() -> CqlScript.of("V003__a.cql", "-- nothing yet\n"))
                .hasMessage("V003__a.cql contains no statement");
    }

    @Test
    void ordersByVersionAndRejectsDuplicateVersions() {
        CqlScript two = CqlScript.of("V002__b.cql", "SELECT 2;");
        CqlScript one = CqlScript.of("V001__a.cql", "SELECT 1;");
        CqlScript otherTwo = CqlScript.of("V002__c.cql", "SELECT 3;");

        assertThat(CqlScript.inVersionOrder(List.of(two, one))).containsExactly(one, two);
        assertThatThrownBy(() -> CqlScript.inVersionOrder(List.of(two, one, otherTwo)))
                .hasMessage("Schema files V002__b.cql and V002__c.cql both have version 2");
    }

    @Test
    void loadsVigilsSchemaFromTheIndexInVersionOrder() {
        List<CqlScript> scripts =
                CqlScript.fromIndex(getClass().getClassLoader(), CqlMigrator.DEFAULT_INDEX);

        assertThat(scripts)
                .extracting(CqlScript::fileName)
                .startsWith("V001__keyspace.cql", "V002__rollups_1m.cql");
        assertThat(
                        scripts.get(0)
                                .statements(Map.of("replication", CqlMigrator.DEFAULT_REPLICATION)))
                .containsExactly(
                        "CREATE KEYSPACE IF NOT EXISTS vigil\n"
                                + "  WITH replication = {'class': 'SimpleStrategy',"
                                + " 'replication_factor': 1}\n"
                                + "  AND durable_writes = true");
        assertThat(scripts.get(1).statements(NO_PLACEHOLDERS))
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .startsWith("CREATE TABLE IF NOT EXISTS vigil.rollups_1m (")
                .contains("PRIMARY KEY ((series_id, day), ts)")
                .contains("'TimeWindowCompactionStrategy'")
                .contains("default_time_to_live = 2592000");
    }

    @Test
    void namesAMissingResource() {
        assertThatThrownBy(
                        () ->
                                CqlScript.fromIndex(
                                        getClass().getClassLoader(), "cql/no-such-index.txt"))
                .isInstanceOf(CqlMigrationException.class)
                .hasMessage("Schema resource 'cql/no-such-index.txt' is not on the class path");
    }
}
