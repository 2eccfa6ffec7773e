package io.vigil.connectors.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeout;

import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.cql.Statement;
import com.datastax.oss.driver.api.core.servererrors.DefaultWriteType;
import com.datastax.oss.driver.api.core.servererrors.InvalidQueryException;
import com.datastax.oss.driver.api.core.servererrors.WriteTimeoutException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.streaming.runtime.tasks.StreamTaskActionExecutor;
import org.apache.flink.streaming.runtime.tasks.mailbox.MailboxExecutorImpl;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailboxImpl;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The writer's flow control (backpressure, retries, flushing, failing) against a scripted driver
 * and a real Flink mailbox owned by the test thread, which plays the task thread.
 */
class CassandraSinkWriterTest {

    private static final String QUERY = "INSERT INTO t (k) VALUES (?)";
    private static final Duration LATENCY = Duration.ofMillis(1);
    private static final Duration NEVER = Duration.ofHours(1);
    private static final int RECORDS = 200;

    private static final Function<Integer, Statement<?>> STATEMENTS =
            record -> SimpleStatement.newInstance(QUERY, record);

    private MailboxExecutor mailbox;
    private RecordingSinkWriterMetricGroup metrics;
    private ScheduledExecutorService retryScheduler;

    @BeforeEach
    void setUp() {
        // The mailbox belongs to the thread that creates it, like a task's mailbox to its task.
        mailbox =
                new MailboxExecutorImpl(
                        new TaskMailboxImpl(Thread.currentThread()),
                        0,
                        StreamTaskActionExecutor.IMMEDIATE);
        metrics = new RecordingSinkWriterMetricGroup();
        retryScheduler = Executors.newSingleThreadScheduledExecutor();
    }

    @Test
    void keepsAtMostMaxInFlightRequestsOutstandingAndWritesEveryRecord() throws Exception {
        ScriptedStatementExecutor cassandra =
                new ScriptedStatementExecutor(ScriptedStatementExecutor.ALWAYS_SUCCEEDS, LATENCY);
        try (CassandraSinkWriter<Integer> writer = writer(cassandra, 4, 10)) {
            for (int record = 0; record < RECORDS; record++) {
                writer.write(record, null);
                assertThat(inFlight()).isLessThanOrEqualTo(4);
            }
            writer.flush(false);

            assertThat(cassandra.maxOutstanding()).isEqualTo(4);
            assertThat(cassandra.written()).containsExactlyInAnyOrderElementsOf(records());
            assertThat(metrics.getNumRecordsSendCounter().getCount()).isEqualTo(RECORDS);
            assertThat(metrics.getNumRecordsSendErrorsCounter().getCount()).isZero();
            assertThat(inFlight()).isZero();
        }
    }

    @Test
    void sendsEveryAttemptFromTheTaskThread() throws Exception {
        ScriptedStatementExecutor cassandra =
                new ScriptedStatementExecutor(
                        (record, attempt) -> attempt < 2 ? timeout() : null, LATENCY);
        try (CassandraSinkWriter<Integer> writer = writer(cassandra, 4, 10)) {
            for (int record = 0; record < 20; record++) {
                writer.write(record, null);
            }
            writer.flush(false);
        }

        // Completions and retries arrive on driver and scheduler threads; they must only post
        // mail, so every (re)send happens here.
        assertThat(cassandra.callerThreads()).containsExactly(Thread.currentThread().getName());
    }

    @Test
    void retriesRetryableFailuresAndFlushWaitsForTheRetries() throws Exception {
        ScriptedStatementExecutor cassandra =
                new ScriptedStatementExecutor(
                        (record, attempt) -> attempt <= 2 ? writeTimeout() : null, LATENCY);
        try (CassandraSinkWriter<Integer> writer = writer(cassandra, 8, 2)) {
            for (int record = 0; record < RECORDS; record++) {
                writer.write(record, null);
            }
            writer.flush(true);

            assertThat(cassandra.written()).containsExactlyInAnyOrderElementsOf(records());
            assertThat(records())
                    .allSatisfy(record -> assertThat(cassandra.attempts(record)).isEqualTo(3));
            assertThat(metrics.count(CassandraSinkWriter.RETRIES_COUNTER)).isEqualTo(2L * RECORDS);
            assertThat(metrics.getNumRecordsSendCounter().getCount()).isEqualTo(RECORDS);
            assertThat(inFlight()).isZero();
        }
    }

    @Test
    void countsRequestsAwaitingRetryAsInFlight() throws Exception {
        // Record 0 fails once and then waits for a long backoff; it must keep its slot, or the
        // retries of an unhealthy cluster would escape the bound.
        ScriptedStatementExecutor cassandra =
                new ScriptedStatementExecutor(
                        (record, attempt) -> record == 0 && attempt == 1 ? timeout() : null,
                        LATENCY);
        try (CassandraSinkWriter<Integer> writer =
                writer(
                        cassandra,
                        2,
                        1,
                        new ExponentialBackoff(Duration.ofMillis(200), Duration.ofMillis(200)))) {
            writer.write(0, null);
            for (int record = 1; record < 10; record++) {
                writer.write(record, null);
                assertThat(inFlight()).isLessThanOrEqualTo(2);
            }
            assertThat(cassandra.written()).doesNotContain(0);
            writer.flush(false);
            assertThat(cassandra.written()).contains(0);
        }
    }

    @Test
    void failsAtOnceOnANonRetryableError() throws Exception {
        ScriptedStatementExecutor cassandra =
                new ScriptedStatementExecutor(
                        (record, attempt) ->
                                record == 7
                                        ? new InvalidQueryException(null, "unconfigured table t")
                                        : null,
                        LATENCY);
        try (CassandraSinkWriter<Integer> writer = writer(cassandra, 4, 10)) {
            assertThatThrownBy(() -> writeAllAndFlush(writer))
                    .isInstanceOf(CassandraSinkException.class)
                    .hasMessageContaining("non-retryable")
                    .hasMessageContaining(QUERY)
                    .hasMessageContaining("unconfigured table t")
                    .hasCauseInstanceOf(InvalidQueryException.class);

            assertThat(cassandra.attempts(7)).isEqualTo(1);
            assertThat(metrics.count(CassandraSinkWriter.RETRIES_COUNTER)).isZero();
            assertThat(metrics.getNumRecordsSendErrorsCounter().getCount()).isEqualTo(1);
            // The failure sticks: the writer refuses to go on as if nothing happened.
            assertThatThrownBy(() -> writer.flush(false))
                    .isInstanceOf(CassandraSinkException.class);
            assertThatThrownBy(() -> writer.write(1000, null))
                    .isInstanceOf(CassandraSinkException.class);
        }
    }

    @Test
    void failsWhenRetriesAreExhausted() throws Exception {
        ScriptedStatementExecutor cassandra =
                new ScriptedStatementExecutor(
                        (record, attempt) -> record == 3 ? timeout() : null, LATENCY);
        try (CassandraSinkWriter<Integer> writer = writer(cassandra, 4, 3)) {
            assertThatThrownBy(() -> writeAllAndFlush(writer))
                    .isInstanceOf(CassandraSinkException.class)
                    .hasMessageContaining("still failed after 4 attempts")
                    .hasCauseInstanceOf(DriverTimeoutException.class);

            assertThat(cassandra.attempts(3)).isEqualTo(4);
            assertThat(metrics.count(CassandraSinkWriter.RETRIES_COUNTER)).isEqualTo(3);
        }
    }

    @Test
    void failsAtOnceWhenARecordCannotBeBound() throws Exception {
        ScriptedStatementExecutor cassandra =
                new ScriptedStatementExecutor(ScriptedStatementExecutor.ALWAYS_SUCCEEDS, LATENCY);
        Function<Integer, Statement<?>> statements =
                record -> {
                    if (record == 3) {
                        throw new IllegalArgumentException("Invalid type for value 0");
                    }
                    return STATEMENTS.apply(record);
                };
        try (CassandraSinkWriter<Integer> writer =
                new CassandraSinkWriter<>(
                        statements,
                        cassandra,
                        retryScheduler,
                        mailbox,
                        metrics,
                        fastBackoff(),
                        4,
                        10,
                        WriteBatching.NONE,
                        QUERY)) {
            writer.write(1, null);
            writer.write(2, null);
            assertThatThrownBy(() -> writer.write(3, null))
                    .isInstanceOf(CassandraSinkException.class)
                    .hasMessageContaining("Could not bind a java.lang.Integer")
                    .hasRootCauseMessage("Invalid type for value 0");
            assertThat(cassandra.attempts(3)).isZero();
        }
    }

    @Test
    void closeReleasesResourcesWithoutWaitingForWritesInFlight() throws Exception {
        ScriptedStatementExecutor cassandra =
                new ScriptedStatementExecutor(ScriptedStatementExecutor.ALWAYS_SUCCEEDS, NEVER);
        CassandraSinkWriter<Integer> writer = writer(cassandra, 4, 10);
        writer.write(1, null);
        writer.write(2, null);

        assertTimeout(Duration.ofSeconds(5), writer::close);

        assertThat(cassandra.isClosed()).isTrue();
        assertThat(retryScheduler.isShutdown()).isTrue();
    }

    @Test
    void flushWithNothingInFlightReturnsAtOnce() throws Exception {
        ScriptedStatementExecutor cassandra =
                new ScriptedStatementExecutor(ScriptedStatementExecutor.ALWAYS_SUCCEEDS, NEVER);
        try (CassandraSinkWriter<Integer> writer = writer(cassandra, 4, 10)) {
            assertTimeout(Duration.ofSeconds(5), () -> writer.flush(true));
        }
    }

    private CassandraSinkWriter<Integer> writer(
            ScriptedStatementExecutor cassandra, int maxInFlightRequests, int maxRetries) {
        return writer(cassandra, maxInFlightRequests, maxRetries, fastBackoff());
    }

    private CassandraSinkWriter<Integer> writer(
            ScriptedStatementExecutor cassandra,
            int maxInFlightRequests,
            int maxRetries,
            ExponentialBackoff backoff) {
        return writer(cassandra, maxInFlightRequests, maxRetries, backoff, WriteBatching.NONE);
    }

    private CassandraSinkWriter<Integer> batchingWriter(
            ScriptedStatementExecutor cassandra, int maxInFlightRequests, WriteBatching batching) {
        return writer(cassandra, maxInFlightRequests, 10, fastBackoff(), batching);
    }

    private CassandraSinkWriter<Integer> writer(
            ScriptedStatementExecutor cassandra,
            int maxInFlightRequests,
            int maxRetries,
            ExponentialBackoff backoff,
            WriteBatching batching) {
        return new CassandraSinkWriter<>(
                STATEMENTS,
                cassandra,
                retryScheduler,
                mailbox,
                metrics,
                backoff,
                maxInFlightRequests,
                maxRetries,
                batching,
                QUERY);
    }

    @Test
    void batchesRowsOfTheSameReplicaGroupAndNeverMixesGroups() throws Exception {
        ScriptedStatementExecutor cassandra =
                new ScriptedStatementExecutor(
                        ScriptedStatementExecutor.ALWAYS_SUCCEEDS, LATENCY, record -> record % 3);
        try (CassandraSinkWriter<Integer> writer =
                batchingWriter(cassandra, 4, new WriteBatching(8, Long.MAX_VALUE, NEVER))) {
            writeAllAndFlush(writer);

            assertThat(cassandra.written()).containsExactlyInAnyOrderElementsOf(records());
            // 200 rows in three groups of 67, 67 and 66: eight full batches each, and the
            // remainders (3, 3, 2) sent by the flush.
            assertThat(cassandra.requestSizes()).hasSize(27);
            assertThat(cassandra.requestSizes())
                    .allSatisfy(size -> assertThat(size).isLessThanOrEqualTo(8));
            assertThat(cassandra.requestSizes().stream().filter(size -> size == 8)).hasSize(24);
            assertThat(cassandra.maxOutstanding()).isLessThanOrEqualTo(4);
            assertThat(metrics.getNumRecordsSendCounter().getCount()).isEqualTo(RECORDS);
            assertThat(inFlight()).isZero();
        }
    }

    @Test
    void sendsAPartialBatchOnceItsDelayIsOverWithoutAFlush() throws Exception {
        ScriptedStatementExecutor cassandra =
                new ScriptedStatementExecutor(ScriptedStatementExecutor.ALWAYS_SUCCEEDS, LATENCY);
        try (CassandraSinkWriter<Integer> writer =
                batchingWriter(
                        cassandra,
                        4,
                        new WriteBatching(32, Long.MAX_VALUE, Duration.ofMillis(20)))) {
            for (int record = 0; record < 5; record++) {
                writer.write(record, null);
            }
            assertThat(cassandra.requestSizes()).isEmpty();

            // The task thread idles in its mailbox, as it does between records; the delay's mail
            // sends the batch and its completion counts the rows.
            while (metrics.getNumRecordsSendCounter().getCount() < 5) {
                mailbox.yield();
            }

            assertThat(cassandra.requestSizes()).containsExactly(5);
            assertThat(cassandra.written()).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
        }
    }

    @Test
    void retriesAFailedBatchWholeAndCountsItsRowsOnce() throws Exception {
        ScriptedStatementExecutor cassandra =
                new ScriptedStatementExecutor(
                        (record, attempt) -> record == 5 && attempt == 1 ? writeTimeout() : null,
                        LATENCY);
        try (CassandraSinkWriter<Integer> writer =
                batchingWriter(cassandra, 2, new WriteBatching(10, Long.MAX_VALUE, NEVER))) {
            for (int record = 0; record < 20; record++) {
                writer.write(record, null);
            }
            writer.flush(false);

            assertThat(cassandra.written()).hasSize(20);
            assertThat(cassandra.requestSizes()).containsExactly(10, 10, 10);
            assertThat(cassandra.attempts(5)).isEqualTo(2);
            assertThat(cassandra.attempts(15)).isEqualTo(1);
            assertThat(metrics.count(CassandraSinkWriter.RETRIES_COUNTER)).isEqualTo(1L);
            assertThat(metrics.getNumRecordsSendCounter().getCount()).isEqualTo(20);
        }
    }

    private static ExponentialBackoff fastBackoff() {
        return new ExponentialBackoff(Duration.ofMillis(1), Duration.ofMillis(4));
    }

    private static void writeAllAndFlush(CassandraSinkWriter<Integer> writer) throws Exception {
        for (int record = 0; record < RECORDS; record++) {
            writer.write(record, null);
        }
        writer.flush(false);
    }

    private int inFlight() {
        return (Integer) metrics.gaugeValue(CassandraSinkWriter.IN_FLIGHT_REQUESTS_GAUGE);
    }

    private static Iterable<Integer> records() {
        return IntStream.range(0, RECORDS).boxed().toList();
    }

    private static Throwable timeout() {
        return new DriverTimeoutException("Query timed out after PT10S");
    }

    private static Throwable writeTimeout() {
        return new WriteTimeoutException(
                null, DefaultConsistencyLevel.LOCAL_QUORUM, 0, 1, DefaultWriteType.SIMPLE);
    }
}
