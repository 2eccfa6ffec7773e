package io.vigil.connectors.cassandra;

import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.cql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Stands in for the driver: answers each statement from its own "driver thread" after a fixed
 * latency, with an outcome the test scripts per record and attempt. Statements must be {@link
 * SimpleStatement}s whose first positional value is the record number, or batches of them; a batch
 * fails with the first error of its rows, as Cassandra fails a batch as a whole.
 */
final class ScriptedStatementExecutor implements StatementExecutor {

    /** What the pretend Cassandra answers. */
    @FunctionalInterface
    interface Script {
        /** The error for this attempt at writing {@code record}, or {@code null} for success. */
        Throwable outcome(int record, int attempt);
    }

    static final Script ALWAYS_SUCCEEDS = (record, attempt) -> null;

    private final Script script;
    private final Duration latency;
    private final IntFunction<Object> groups;
    private final List<Integer> requestSizes = Collections.synchronizedList(new ArrayList<>());
    private final ScheduledExecutorService driverThread =
            Executors.newSingleThreadScheduledExecutor(
                    runnable -> {
                        Thread thread = new Thread(runnable, "scripted-driver");
                        thread.setDaemon(true);
                        return thread;
                    });

    private final Map<Integer, Integer> attempts = new ConcurrentHashMap<>();
    private final Set<Integer> written = ConcurrentHashMap.newKeySet();
    private final Set<String> callerThreads = ConcurrentHashMap.newKeySet();
    private final AtomicInteger outstanding = new AtomicInteger();
    private final AtomicInteger maxOutstanding = new AtomicInteger();
    private volatile boolean closed;

    ScriptedStatementExecutor(Script script, Duration latency) {
        this(script, latency, record -> ONE_GROUP);
    }

    /**
     * @param groups the replica group of each record, for writers that batch
     */
    ScriptedStatementExecutor(Script script, Duration latency, IntFunction<Object> groups) {
        this.script = script;
        this.latency = latency;
        this.groups = groups;
    }

    @Override
    public Object replicaGroup(Statement<?> statement) {
        return groups.apply(record(statement));
    }

    @Override
    public CompletionStage<?> executeAsync(Statement<?> statement) {
        callerThreads.add(Thread.currentThread().getName());
        List<Integer> records = new ArrayList<>();
        if (statement instanceof BatchStatement batch) {
            for (BatchableStatement<?> row : batch) {
                records.add(record(row));
            }
        } else {
            records.add(record(statement));
        }
        requestSizes.add(records.size());
        List<Integer> attemptsNow = new ArrayList<>();
        for (int record : records) {
            attemptsNow.add(attempts.merge(record, 1, Integer::sum));
        }
        maxOutstanding.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
        CompletableFuture<Void> result = new CompletableFuture<>();
        driverThread.schedule(
                () -> {
                    outstanding.decrementAndGet();
                    Throwable error = null;
                    for (int i = 0; i < records.size() && error == null; i++) {
                        error = script.outcome(records.get(i), attemptsNow.get(i));
                    }
                    if (error == null) {
                        written.addAll(records);
                        result.complete(null);
                    } else {
                        result.completeExceptionally(error);
                    }
                },
                latency.toNanos(),
                TimeUnit.NANOSECONDS);
        return result;
    }

    @Override
    public void close() {
        closed = true;
        driverThread.shutdownNow();
    }

    private static int record(Statement<?> statement) {
        return (Integer) ((SimpleStatement) statement).getPositionalValues().get(0);
    }

    /** How many rows each request carried, in the order they were sent. */
    List<Integer> requestSizes() {
        synchronized (requestSizes) {
            return List.copyOf(requestSizes);
        }
    }

    int attempts(int record) {
        return attempts.getOrDefault(record, 0);
    }

    Set<Integer> written() {
        return written;
    }

    /** The most statements that were ever sent and not yet answered at the same time. */
    int maxOutstanding() {
        return maxOutstanding.get();
    }

    /** Names of the threads that sent statements. */
    Set<String> callerThreads() {
        return callerThreads;
    }

    boolean isClosed() {
        return closed;
    }
}
