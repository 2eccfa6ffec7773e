package io.vigil.jobs.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.vigil.jobs.rollup.records.HostRow;
import io.vigil.stack.LocalStack;
import io.vigil.stack.junit.SharedStackExtension;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The host inventory's rows on the real Cassandra of the local stack, written in the order that
 * retries can produce: a move's delete of the old {@code hosts_by_place} row outranks an earlier
 * insert of that row that arrives after it, and a later move back is not shadowed by the delete.
 * The job itself only meets moves in harness tests; what Cassandra makes of the writes is checked
 * here.
 */
@ExtendWith(SharedStackExtension.class)
class HostRowsITCase {
    private static final long T0 = Instant.parse("2026-03-05T08:00:00Z").toEpochMilli();
    private static final long MINUTE = 60_000;

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(1)
                            .build());

    /** A host and cluster of its own, so that rows of other tests never show. */
    private final String host = "web-" + UUID.randomUUID();

    private final String cluster = "c-" + UUID.randomUUID();

    @BeforeAll
    static void prepare(LocalStack stack) throws Exception {
        RollupScenario.prepare(stack);
    }

    /** The host at a rack of the test's cluster, last seen at {@code seen}, version from it. */
    private HostRow at(String rack, long seen) {
        return new HostRow(host, "dc-it", cluster, rack, T0, T0, seen, seen * 1000);
    }

    private static void write(Sink<HostRow> sink, HostRow... rows) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.fromData(TypeInformation.of(HostRow.class), rows)
                .sinkTo(sink)
                .uid("host-rows-sink")
                .name("Cassandra: host rows");
        env.execute("host rows");
    }

    private List<String> racksListed(CqlSession session) {
        return session
                .execute(
                        "SELECT rack, host FROM vigil.hosts_by_place WHERE dc = ? AND cluster = ?",
                        "dc-it",
                        cluster)
                .all()
                .stream()
                .map(row -> row.getString("rack") + "/" + row.getString("host"))
                .toList();
    }

    @Test
    void aMovesDeleteOutranksEarlierInsertsWhateverTheirArrivalAndNotLaterOnes(LocalStack stack)
            throws Exception {
        Configuration options = RollupScenario.cassandraOptions(stack);
        HostRow inR1 = at("r1", T0 + MINUTE);
        HostRow refreshedInR1 = at("r1", T0 + 10 * MINUTE);
        HostRow movedToR2 = at("r2", T0 + 12 * MINUTE);

        write(HostRows.placesSink(options), inR1);
        // The move: the old row goes with the move's version and the new row is written...
        write(HostRows.vacatedPlacesSink(options), at("r1", movedToR2.lastSeen()));
        write(HostRows.placesSink(options), movedToR2);
        write(HostRows.hostsSink(options), movedToR2);
        // ...and a retried refresh of the old row, older than the move, arrives last.
        write(HostRows.placesSink(options), refreshedInR1);

        try (CqlSession session = RollupScenario.session(stack)) {
            assertThat(racksListed(session)).containsExactly("r2/" + host);
            Row inventory =
                    session.execute(
                                    "SELECT dc, cluster, rack, last_seen, TTL(last_seen) FROM"
                                            + " vigil.hosts WHERE host = ?",
                                    host)
                            .one();
            assertThat(inventory.getString("cluster")).isEqualTo(cluster);
            assertThat(inventory.getString("rack")).isEqualTo("r2");
            assertThat(inventory.getInstant("last_seen"))
                    .isEqualTo(Instant.ofEpochMilli(T0 + 12 * MINUTE));
            // The retention's TTL (30 days), less the moments since the write.
            assertThat(inventory.getInt(4)).isBetween(2_592_000 - 600, 2_592_000);
            Row place =
                    session.execute(
                                    "SELECT WRITETIME(last_seen) FROM vigil.hosts_by_place WHERE dc"
                                            + " = 'dc-it' AND cluster = ? AND rack = 'r2' AND"
                                            + " host = ?",
                                    cluster,
                                    host)
                            .one();
            assertThat(place.getLong(0)).isEqualTo(movedToR2.version());

            // Back to r1 later: the delete of r1 does not shadow writes newer than itself.
            HostRow backInR1 = at("r1", T0 + 20 * MINUTE);
            write(HostRows.placesSink(options), backInR1);
            write(HostRows.vacatedPlacesSink(options), at("r2", backInR1.lastSeen()));
            assertThat(racksListed(session)).containsExactly("r1/" + host);
        }
    }
}
