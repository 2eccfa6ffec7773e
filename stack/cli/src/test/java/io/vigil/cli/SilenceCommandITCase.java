package io.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.vigil.cli.RunningStack.RecordedNotifier;
import io.vigil.connectors.cassandra.CqlMigrator;
import io.vigil.connectors.cassandra.CqlSessions;
import io.vigil.connectors.kafka.KafkaSettings;
import io.vigil.connectors.kafka.TopicAdmin;
import io.vigil.schemas.Topics;
import io.vigil.stack.LocalStack;
import io.vigil.stack.junit.SharedStackExtension;
import io.vigil.stack.process.ManagedProcess;
import io.vigil.stack.process.PortAllocator;
import io.vigil.stack.state.StackState;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vigil silence add | list | expire} against a real notifier, started as {@code vigil up}
 * starts it (a child JVM recorded in the stack's state, with the default configuration and its
 * inbox) on the local stack's Kafka and Cassandra; what the commands did is read back from
 * Cassandra's {@code vigil.silences}, the notifier's store of record.
 */
@ExtendWith(SharedStackExtension.class)
class SilenceCommandITCase {

    @TempDir Path home;

    @Test
    void addListAndExpireThroughTheNotifiersApi(LocalStack stack) throws Exception {
        prepare(stack);
        try (NotificationInbox inbox =
                        NotificationInbox.start(
                                stack.dataDir().resolve(UpCommand.NOTIFICATIONS_FILE),
                                line -> {},
                                Clock.systemUTC());
                CqlSession session =
                        CqlSessions.open(
                                stack.cassandraContactPoint(),
                                stack.cassandraLocalDatacenter(),
                                Duration.ofSeconds(30))) {
            Path config = DefaultNotifierConfig.write(stack.dataDir(), inbox.url());
            ManagedProcess notifier =
                    LocalNotifier.start(stack, config, new PortAllocator().next());
            try {
                // Found as other commands find it: through the stack's state file.
                RecordedNotifier recorded =
                        RecordedNotifier.of(StackState.read(stack.dataDir()).orElseThrow())
                                .orElseThrow();
                assertThat(recorded.process().pid()).isEqualTo(notifier.pid());
                String api = recorded.api().toString();

                Instant before = Instant.now();
                CliRun added =
                        CliRun.run(
                                home,
                                "silence",
                                "add",
                                "--api",
                                api,
                                "--matcher",
                                "alertname=CpuHigh",
                                "--matcher",
                                "host=~host-00.*",
                                "--duration",
                                "2h",
                                "--comment",
                                "kernel upgrade",
                                "--author",
                                "alice",
                                "--quiet");
                assertThat(added.exitCode()).as(added.err()).isZero();
                String id = added.out().strip();

                Row row = silenceRow(session, id);
                assertThat(row.getList("matchers", String.class))
                        .containsExactly("alertname=\"CpuHigh\"", "host=~\"host-00.*\"");
                assertThat(row.getString("created_by")).isEqualTo("alice");
                assertThat(row.getString("comment")).isEqualTo("kernel upgrade");
                assertThat(row.getInstant("ends_at"))
                        .isCloseTo(before.plus(Duration.ofHours(2)), within(1, ChronoUnit.MINUTES));

                CliRun listed = CliRun.run(home, "silence", "list", "--api", api);
                assertThat(listed.exitCode()).isZero();
                assertThat(listed.out())
                        .containsPattern(
                                id
                                        + " +active +\\S+ +\\S+ +alice +alertname=\"CpuHigh\""
                                        + " host=~\"host-00.\\*\" +kernel upgrade");
                assertThat(
                                CliRun.run(
                                                home,
                                                "silence",
                                                "query",
                                                "--api",
                                                api,
                                                "-q",
                                                "alertname=CpuHigh")
                                        .out())
                        .isEqualTo(id + System.lineSeparator());
                assertThat(
                                CliRun.run(
                                                home,
                                                "silence",
                                                "list",
                                                "--api",
                                                api,
                                                "-q",
                                                "alertname=DiskFull")
                                        .out())
                        .isEmpty();

                // Refused by the API, which says why; nothing is stored.
                CliRun everything =
                        CliRun.run(home, "silence", "add", "--api", api, "-m", "host=~.*");
                assertThat(everything.exitCode()).isEqualTo(1);
                assertThat(everything.err())
                        .contains("refused POST /api/v2/silences with 400 (bad request):")
                        .contains("every matcher matches the empty string");
                CliRun past =
                        CliRun.run(
                                home,
                                "silence",
                                "add",
                                "--api",
                                api,
                                "-m",
                                "host=host-000001",
                                "--end",
                                "2020-01-01T00:00:00Z");
                assertThat(past.exitCode()).isEqualTo(1);
                assertThat(past.err())
                        .contains("endsAt (2020-01-01T00:00:00Z) must be after startsAt");
                assertThat(session.execute("SELECT id FROM vigil.silences").all()).hasSize(1);

                CliRun expired = CliRun.run(home, "silence", "expire", "--api", api, id);
                assertThat(expired.exitCode()).as(expired.err()).isZero();
                assertThat(expired.out())
                        .contains("silence " + id + " expired: alertname=\"CpuHigh\"");
                assertThat(silenceRow(session, id).getInstant("ends_at"))
                        .isBeforeOrEqualTo(Instant.now());
                assertThat(CliRun.run(home, "silence", "list", "--api", api, "-q").out()).isEmpty();
                assertThat(CliRun.run(home, "silence", "list", "--api", api, "--all").out())
                        .containsPattern(id + " +expired ");

                CliRun unknown =
                        CliRun.run(home, "silence", "expire", "--api", api, "no-such-silence");
                assertThat(unknown.exitCode()).isEqualTo(1);
                assertThat(unknown.err())
                        .contains("with 404 (not found): no silence with id no-such-silence");
            } finally {
                notifier.stop();
            }
            assertThat(notifier.isAlive()).isFalse();
        }
    }

    /** What {@code vigil up} does before it starts the notifier: schema and topics. */
    private static void prepare(LocalStack stack) throws Exception {
        try (CqlSession session =
                CqlSessions.open(
                        stack.cassandraContactPoint(),
                        stack.cassandraLocalDatacenter(),
                        Duration.ofSeconds(30))) {
            CqlMigrator.builder().session(session).build().migrate();
        }
        new TopicAdmin(
                        KafkaSettings.of(stack.kafkaBootstrapServers()),
                        UpCommand.TOPIC_PARTITIONS,
                        (short) 1,
                        Duration.ofDays(1))
                .createMissing(Topics.ALL);
    }

    private static Row silenceRow(CqlSession session, String id) {
        return session.execute(
                        "SELECT matchers, created_by, comment, ends_at FROM vigil.silences WHERE id"
                                + " = ?",
                        id)
                .one();
    }
}
