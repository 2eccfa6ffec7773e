package io.vigil.connectors.cassandra;

import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.cql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stands in for the driver: answers each statement from its own "driver thread" after a fixed
 * latency, with an outcome the test scripts per record and attempt. Statements must be {@link
 * SimpleStatement}s whose first positional value is the record number.
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
        this.script = script;
        this.latency = latency;
    }

    @Override
    public CompletionStage<?> executeAsync(Statement<?> statement) {
        callerThreads.add(Thread.currentThread().getName());
        int record = (Integer) ((SimpleStatement) statement).getPositionalValues().get(0);
        int attempt = attempts.merge(record, 1, Integer::sum);
        maxOutstanding.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
        CompletableFuture<Void> result = new CompletableFuture<>();
        driverThread.schedule(
                () -> {
                    outstanding.decrementAndGet();
                    Throwable error = script.outcome(record, attempt);
                    if (error == null) {
                        written.add(record);
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
