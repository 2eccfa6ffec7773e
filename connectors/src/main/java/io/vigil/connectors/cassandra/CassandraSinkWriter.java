package io.vigil.connectors.cassandra;

import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.Statement;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.util.WrappingRuntimeException;
import org.apache.flink.util.function.ThrowingRunnable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes records with asynchronous, idempotent statements, a bounded number at a time.
 *
 * <p>Threading: every field is read and written on the task thread only. Driver threads complete
 * requests and the retry scheduler wakes up retries, but both just post a mail to the task's
 * mailbox; the mail then does the bookkeeping on the task thread. Only {@link #inFlight} is
 * volatile, so that the metrics reporter thread can read it for its gauge.
 *
 * <p>A write counts as in flight from the moment it is sent until it succeeds or fails for good,
 * including while it waits for a retry. Bounding that number is what turns a slow Cassandra into
 * backpressure on the job instead of an ever-growing queue in the driver.
 *
 * <p>With {@link WriteBatching} enabled, a write is one unlogged batch of rows that share their
 * replicas (see there); rows wait for their batch to fill up for at most its delay, and every
 * partial batch is sent before a checkpoint barrier. A batch is retried, counted and bounded as one
 * write; the record counters count rows.
 *
 * @param <T> the record type
 */
final class CassandraSinkWriter<T> implements SinkWriter<T> {

    private static final Logger LOG = LoggerFactory.getLogger(CassandraSinkWriter.class);

    /** Name of the gauge of writes sent and not yet completed (including those awaiting retry). */
    static final String IN_FLIGHT_REQUESTS_GAUGE = "inFlightRequests";

    /** Name of the counter of retried writes; one increment per retry, not per record. */
    static final String RETRIES_COUNTER = "numRetries";

    private final Function<T, Statement<?>> statements;
    private final StatementExecutor executor;
    private final ScheduledExecutorService retryScheduler;
    private final MailboxExecutor mailbox;
    private final ExponentialBackoff backoff;
    private final int maxInFlightRequests;
    private final int maxRetries;
    private final String query;
    private final WriteBatching batching;

    /** Rows bound but not sent yet, by replica group; empty when batching is off. */
    private final Map<Object, PendingBatch> pending = new LinkedHashMap<>();

    /** A delay mail is on its way; no need to schedule another one. */
    private boolean delayScheduled;

    /** The delay of the pending rows is over: send them as soon as there is room. */
    private boolean delayElapsed;

    private final Counter numRecordsSend;
    private final Counter numRecordsSendErrors;
    private final Counter numRetries;

    private volatile int inFlight;

    /**
     * The first write that failed for good. It is thrown the moment it is known (from the mail that
     * learns it) and again on every later write or flush, so it can never be lost.
     */
    private CassandraSinkException failure;

    private boolean closed;

    /**
     * @param statements binds a record into a ready-to-run statement; exceptions fail the job
     * @param executor sends statements; owned by the writer and closed with it
     * @param retryScheduler wakes retries up after their backoff; owned and shut down by the writer
     * @param mailbox the task's mailbox, for handing completions back to the task thread
     * @param metrics where the send counters, the in-flight gauge and the retry counter go
     * @param batching how rows are grouped into batches
     * @param query the CQL text, for error messages
     */
    CassandraSinkWriter(
            Function<T, Statement<?>> statements,
            StatementExecutor executor,
            ScheduledExecutorService retryScheduler,
            MailboxExecutor mailbox,
            SinkWriterMetricGroup metrics,
            ExponentialBackoff backoff,
            int maxInFlightRequests,
            int maxRetries,
            WriteBatching batching,
            String query) {
        this.statements = statements;
        this.executor = executor;
        this.retryScheduler = retryScheduler;
        this.mailbox = mailbox;
        this.backoff = backoff;
        this.maxInFlightRequests = maxInFlightRequests;
        this.maxRetries = maxRetries;
        this.batching = batching;
        this.query = query;
        this.numRecordsSend = metrics.getNumRecordsSendCounter();
        this.numRecordsSendErrors = metrics.getNumRecordsSendErrorsCounter();
        this.numRetries = metrics.counter(RETRIES_COUNTER);
        metrics.gauge(IN_FLIGHT_REQUESTS_GAUGE, () -> inFlight);
    }

    @Override
    public void write(T element, Context context) throws IOException, InterruptedException {
        throwIfFailed();
        Statement<?> statement;
        try {
            statement = statements.apply(element);
        } catch (RuntimeException e) {
            numRecordsSendErrors.inc();
            throw fail(
                    new CassandraSinkException(
                            String.format(
                                    "Could not bind a %s to the Cassandra statement '%s'",
                                    element.getClass().getName(), query),
                            e));
        }
        if (!batching.enabled()) {
            awaitRoom();
            inFlight++;
            send(new Write(statement, 1), 1);
            return;
        }
        Object group = executor.replicaGroup(statement);
        long bytes = boundBytes(statement);
        PendingBatch batch = pending.get(group);
        if (batch != null && batch.bytes + bytes > batching.maxBytes()) {
            sendNow(group);
            batch = null;
        }
        if (batch == null) {
            batch = new PendingBatch();
            pending.put(group, batch);
        }
        batch.add(statement, bytes);
        if (batch.rows.size() >= batching.maxStatements()) {
            sendNow(group);
        } else {
            scheduleDelay();
        }
    }

    /**
     * Waits, running mails, until every write sent so far has succeeded. Flink calls this before it
     * emits a checkpoint barrier, which is what makes a completed checkpoint imply that all records
     * before it are in Cassandra.
     */
    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        throwIfFailed();
        while (!pending.isEmpty()) {
            sendNow(pending.keySet().iterator().next());
        }
        while (inFlight > 0) {
            yieldToMailbox();
        }
    }

    /**
     * Releases the session and the retry scheduler without waiting for writes in flight.
     *
     * <p>A normal end has flushed already, so nothing is in flight. Writes still in flight here
     * belong to a task that failed or was cancelled: no completed checkpoint covers them, they are
     * replayed on restart, and waiting for them (or for their errors) would only delay that. They
     * are logged rather than dropped silently.
     */
    @Override
    public void close() throws Exception {
        if (closed) {
            return;
        }
        closed = true;
        if (inFlight > 0) {
            LOG.warn(
                    "Closing the Cassandra sink with {} writes unconfirmed; no completed checkpoint"
                            + " covers them, so they are replayed on restart",
                    inFlight);
        }
        retryScheduler.shutdownNow();
        executor.close();
    }

    /**
     * Takes the pending batch of {@code group} out of the pending ones and sends it, waiting for
     * room first. Taken out before waiting, so that the mails run while waiting cannot send it too.
     */
    private void sendNow(Object group) throws CassandraSinkException, InterruptedException {
        PendingBatch batch = pending.remove(group);
        awaitRoom();
        inFlight++;
        send(batch.toWrite(), 1);
    }

    /**
     * Sends pending batches whose delay is over, as many as there is room for, without waiting;
     * runs from mails, which must not block. What does not fit is sent by the completions that make
     * room.
     */
    private void sendElapsed() {
        if (!delayElapsed) {
            return;
        }
        Iterator<PendingBatch> batches = pending.values().iterator();
        while (batches.hasNext() && inFlight < maxInFlightRequests) {
            PendingBatch batch = batches.next();
            batches.remove();
            inFlight++;
            send(batch.toWrite(), 1);
        }
        if (pending.isEmpty()) {
            delayElapsed = false;
        }
    }

    /** Makes sure a mail sends the pending rows once the batch delay is over. */
    private void scheduleDelay() {
        if (delayScheduled) {
            return;
        }
        delayScheduled = true;
        retryScheduler.schedule(
                () ->
                        toTaskThread(
                                () -> {
                                    delayScheduled = false;
                                    delayElapsed = true;
                                    sendElapsed();
                                },
                                "Cassandra batch delay"),
                batching.maxDelay().toNanos(),
                TimeUnit.NANOSECONDS);
    }

    /** Backpressure: while the window is full, runs mails (completions, retries) instead. */
    private void awaitRoom() throws CassandraSinkException, InterruptedException {
        // yield() blocks until a mail arrives, so this is not a busy loop.
        while (inFlight >= maxInFlightRequests) {
            yieldToMailbox();
        }
    }

    /** Sends (or re-sends) a write; the outcome comes back as a mail. Task thread only. */
    private void send(Write write, int attempt) {
        CompletionStage<?> result;
        try {
            result = executor.executeAsync(write.statement());
        } catch (RuntimeException e) {
            // Some driver errors (e.g. a closed session) are thrown instead of returned; route
            // them through the same path so there is only one place that decides what happens.
            result = CompletableFuture.failedFuture(e);
        }
        result.whenComplete(
                (ignored, error) ->
                        toTaskThread(
                                () -> onCompletion(write, attempt, error),
                                "Cassandra write completion"));
    }

    /** Runs on the task thread: counts a success, schedules a retry, or records a failure. */
    private void onCompletion(Write write, int attempt, Throwable error)
            throws CassandraSinkException {
        if (closed) {
            // A late answer for a writer that is gone; its bookkeeping no longer matters.
            return;
        }
        if (error == null) {
            inFlight--;
            numRecordsSend.inc(write.rows());
            sendElapsed();
            return;
        }
        Throwable cause = CassandraErrors.unwrap(error);
        boolean retryable = CassandraErrors.isRetryable(cause);
        if (retryable && attempt <= maxRetries) {
            numRetries.inc();
            Duration delay = backoff.delay(attempt);
            LOG.debug(
                    "Retrying Cassandra write in {} after attempt {} failed",
                    delay,
                    attempt,
                    cause);
            // The scheduler thread only posts the retry; sending happens on the task thread, like
            // everything else that touches the writer.
            retryScheduler.schedule(
                    () -> toTaskThread(() -> send(write, attempt + 1), "Cassandra write retry"),
                    delay.toNanos(),
                    TimeUnit.NANOSECONDS);
            return;
        }
        inFlight--;
        numRecordsSendErrors.inc(write.rows());
        String message =
                retryable
                        ? String.format(
                                "Cassandra write '%s' (%s rows) still failed after %s attempts"
                                        + " (%s); failing the job so that it restarts from its"
                                        + " last checkpoint",
                                query, write.rows(), attempt, cause)
                        : String.format(
                                "Cassandra write '%s' failed with a non-retryable error: %s",
                                query, cause);
        // Throwing from the mail fails the task now, instead of at the next record or checkpoint.
        throw fail(new CassandraSinkException(message, cause));
    }

    /** Remembers the first failure and returns what to throw now. */
    private CassandraSinkException fail(CassandraSinkException error) {
        if (failure == null) {
            failure = error;
        }
        return failure;
    }

    /**
     * Runs the next mail, blocking until there is one. A failure thrown by one of our mails comes
     * out of {@code yield()} wrapped; rethrow it as it is, so that callers see the sink's error
     * first and not Flink's wrapper.
     */
    private void yieldToMailbox() throws CassandraSinkException, InterruptedException {
        try {
            mailbox.yield();
        } catch (WrappingRuntimeException e) {
            throwIfFailed();
            throw e;
        }
        throwIfFailed();
    }

    private void throwIfFailed() throws CassandraSinkException {
        if (failure != null) {
            throw failure;
        }
    }

    /** Posts {@code action} to the task's mailbox; called from driver and scheduler threads. */
    private void toTaskThread(ThrowingRunnable<? extends Exception> action, String description) {
        try {
            mailbox.execute(action, description);
        } catch (RejectedExecutionException | IllegalStateException e) {
            // The task is shutting down and its mailbox takes no more mail. The write was never
            // confirmed by a checkpoint, so it is replayed after the restart.
            LOG.debug("Dropping '{}' because the task is shutting down", description, e);
        }
    }

    /** Bytes of bound values of a row, the measure of Cassandra's batch size thresholds. */
    private static long boundBytes(Statement<?> statement) {
        if (!(statement instanceof BoundStatement bound)) {
            return 0;
        }
        long bytes = 0;
        for (ByteBuffer value : bound.getValues()) {
            if (value != null) {
                bytes += value.remaining();
            }
        }
        return bytes;
    }

    /** One request to Cassandra: a row, or an unlogged batch of rows. */
    private record Write(Statement<?> statement, int rows) {}

    /** Rows of one replica group waiting to be sent together. */
    private static final class PendingBatch {
        private final List<BatchableStatement<?>> rows = new ArrayList<>();
        private long bytes;

        void add(Statement<?> row, long rowBytes) {
            rows.add((BatchableStatement<?>) row);
            bytes += rowBytes;
        }

        Write toWrite() {
            Statement<?> first = rows.get(0);
            if (rows.size() == 1) {
                return new Write(first, 1);
            }
            // The batch's own settings are what Cassandra applies, not those of its rows.
            BatchStatement batch =
                    BatchStatement.newInstance(DefaultBatchType.UNLOGGED, rows)
                            .setIdempotent(true)
                            .setConsistencyLevel(first.getConsistencyLevel());
            return new Write(batch, rows.size());
        }
    }
}
