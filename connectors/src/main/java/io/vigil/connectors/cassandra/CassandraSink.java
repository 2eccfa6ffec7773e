package io.vigil.connectors.cassandra;

import static org.apache.flink.util.Preconditions.checkNotNull;
import static org.apache.flink.util.Preconditions.checkState;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Statement;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.util.InstantiationUtil;

/**
 * Writes a stream to Cassandra with one prepared, idempotent statement per record.
 *
 * <pre>{@code
 * CassandraSink<Rollup> sink =
 *         CassandraSink.<Rollup>builder()
 *                 .contactPoints("cassandra-1:9042", "cassandra-2:9042")
 *                 .localDatacenter("dc1")
 *                 .keyspace("vigil")
 *                 .statement(
 *                         "INSERT INTO rollups_1m (series_id, day, ts, count, sum, min, max, last)"
 *                                 + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
 *                 .binder(
 *                         (statement, r) ->
 *                                 statement.bind(
 *                                         r.seriesId(), r.day(), r.ts(), r.count(),
 *                                         r.sum(), r.min(), r.max(), r.last()))
 *                 .maxInFlightRequests(256)
 *                 .build();
 * rollups.sinkTo(sink).uid("rollups-cassandra-sink").name("Write rollups to Cassandra");
 * }</pre>
 *
 * <p>Guarantees: at least once. Before each checkpoint barrier the writer waits until every write
 * it has sent succeeded, so a completed checkpoint means its rows are in Cassandra. After a
 * failure, Flink replays from that checkpoint and some rows are written twice, which is harmless
 * only because the statement must be an idempotent upsert: a plain {@code INSERT} or {@code UPDATE
 * ... SET} of fixed values, never a counter update, list append or lightweight transaction. The
 * sink marks every statement idempotent, which also lets the driver retry it on another node.
 *
 * <p>Backpressure: each subtask keeps at most {@code maxInFlightRequests} writes outstanding
 * (retries included); beyond that it stops taking input, which slows the job down to what Cassandra
 * absorbs instead of piling requests up in the driver.
 *
 * <p>Failures: timeouts, unavailable or overloaded nodes and dropped connections are retried with
 * exponential backoff and jitter, up to {@code maxRetries} times; then the job fails. Errors that
 * no retry fixes (invalid statement, unknown table, wrong types, authentication) fail the job at
 * once, with the driver's exception as the cause.
 *
 * <p>The writers of a job in one TaskManager share one {@link CqlSession} per cluster ({@link
 * SharedSessions}); everything this class holds is serializable so that it can be shipped there.
 *
 * @param <T> the record type
 */
public final class CassandraSink<T> implements Sink<T> {

    private static final long serialVersionUID = 1L;

    private final List<InetSocketAddress> contactPoints;
    private final String localDatacenter;
    private final String keyspace;
    private final String statement;
    private final CassandraRowBinder<T> binder;
    private final int maxInFlightRequests;
    private final int maxRetries;
    private final WriteBatching batching;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration requestTimeout;
    private final DefaultConsistencyLevel consistencyLevel;

    private CassandraSink(Builder<T> builder) {
        this.contactPoints = List.copyOf(builder.contactPoints);
        this.localDatacenter = builder.localDatacenter;
        this.keyspace = builder.keyspace;
        this.statement = builder.statement;
        this.binder = builder.binder;
        this.maxInFlightRequests = builder.maxInFlightRequests;
        this.maxRetries = builder.maxRetries;
        this.batching =
                new WriteBatching(
                        builder.maxBatchRows, builder.maxBatchBytes, builder.maxBatchDelay);
        this.initialBackoff = builder.initialBackoff;
        this.maxBackoff = builder.maxBackoff;
        this.requestTimeout = builder.requestTimeout;
        this.consistencyLevel = builder.consistencyLevel;
    }

    /** Starts a sink description; see the class documentation for an example. */
    public static <T> Builder<T> builder() {
        return new Builder<>();
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        SharedSessions.Lease lease;
        try {
            lease =
                    SharedSessions.acquire(
                            new SharedSessions.Key(
                                    contactPoints, localDatacenter, keyspace, requestTimeout),
                            this::connect);
        } catch (CassandraConnectException e) {
            throw e.getCause();
        }
        PreparedStatement prepared;
        try {
            prepared = lease.session().prepare(statement);
        } catch (RuntimeException e) {
            try {
                lease.release(requestTimeout);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            throw new CassandraSinkException(
                    String.format(
                            "Could not prepare the Cassandra statement '%s': %s",
                            statement, e.getMessage()),
                    e);
        }
        int subtask = context.getTaskInfo().getIndexOfThisSubtask();
        ScheduledExecutorService retryScheduler =
                Executors.newSingleThreadScheduledExecutor(
                        runnable -> {
                            Thread thread =
                                    new Thread(runnable, "cassandra-sink-retries-" + subtask);
                            // Never keep a TaskManager JVM alive for the sake of a retry.
                            thread.setDaemon(true);
                            return thread;
                        });
        return new CassandraSinkWriter<>(
                value -> bind(prepared, value),
                new SessionStatementExecutor(lease, requestTimeout),
                retryScheduler,
                context.getMailboxExecutor(),
                context.metricGroup(),
                new ExponentialBackoff(initialBackoff, maxBackoff),
                maxInFlightRequests,
                maxRetries,
                batching,
                statement);
    }

    private CqlSession connect() {
        try {
            // Flink loads this class, and the driver shipped in the job jar, in the job's class
            // loader; the driver must load its own classes and its reference.conf from there too.
            ClassLoader classLoader = getClass().getClassLoader();
            DriverConfigLoader config =
                    DriverConfigLoader.programmaticBuilder(classLoader)
                            // For every request, including the prepare: the driver's default of
                            // two seconds is short for a node that is busy compacting.
                            .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, requestTimeout)
                            // A writer closes its session when its task ends, fails or restarts;
                            // the default quiet period would add two seconds to each of those.
                            .withInt(DefaultDriverOption.NETTY_IO_SHUTDOWN_QUIET_PERIOD, 0)
                            .withInt(DefaultDriverOption.NETTY_ADMIN_SHUTDOWN_QUIET_PERIOD, 0)
                            .build();
            CqlSessionBuilder builder =
                    CqlSession.builder()
                            .withClassLoader(classLoader)
                            .withConfigLoader(config)
                            .withLocalDatacenter(localDatacenter)
                            .withApplicationName("vigil-cassandra-sink");
            for (InetSocketAddress contactPoint : contactPoints) {
                builder.addContactPoint(resolved(contactPoint));
            }
            if (keyspace != null) {
                builder.withKeyspace(keyspace);
            }
            return builder.build();
        } catch (RuntimeException e) {
            throw new CassandraConnectException(
                    new CassandraSinkException(
                            String.format(
                                    "Could not connect to Cassandra at %s (local data centre"
                                            + " '%s', keyspace '%s'): %s",
                                    contactPoints, localDatacenter, keyspace, e.getMessage()),
                            e));
        }
    }

    /** Carries a connection failure out of the session registry's supplier. */
    private static final class CassandraConnectException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CassandraConnectException(CassandraSinkException cause) {
            super(cause);
        }

        @Override
        public synchronized CassandraSinkException getCause() {
            return (CassandraSinkException) super.getCause();
        }
    }

    private Statement<?> bind(PreparedStatement prepared, T value) {
        BoundStatement bound = binder.bind(prepared, value);
        checkNotNull(bound, "Binder %s returned null", binder.getClass().getName());
        // Idempotent: the contract of this sink, and what allows the driver to retry on another
        // node. The request timeout comes from the session's configuration.
        return bound.setIdempotent(true).setConsistencyLevel(consistencyLevel);
    }

    /**
     * Host names given as strings stay unresolved until here, so that they are looked up by the
     * TaskManager that connects, not by the client that built the job.
     */
    private static InetSocketAddress resolved(InetSocketAddress address) {
        return address.isUnresolved()
                ? new InetSocketAddress(address.getHostString(), address.getPort())
                : address;
    }

    int maxInFlightRequests() {
        return maxInFlightRequests;
    }

    int maxRetries() {
        return maxRetries;
    }

    WriteBatching batching() {
        return batching;
    }

    Duration initialBackoff() {
        return initialBackoff;
    }

    Duration maxBackoff() {
        return maxBackoff;
    }

    Duration requestTimeout() {
        return requestTimeout;
    }

    ConsistencyLevel consistencyLevel() {
        return consistencyLevel;
    }

    List<InetSocketAddress> contactPoints() {
        return contactPoints;
    }

    /**
     * Builds a {@link CassandraSink}; {@link #build()} checks that the description is complete and
     * consistent.
     *
     * @param <T> the record type
     */
    public static final class Builder<T> {

        private final List<InetSocketAddress> contactPoints = new ArrayList<>();
        private String localDatacenter;
        private String keyspace;
        private String statement;
        private CassandraRowBinder<T> binder;
        private int maxInFlightRequests =
                CassandraSinkOptions.MAX_IN_FLIGHT_REQUESTS.defaultValue();
        private int maxRetries = CassandraSinkOptions.MAX_RETRIES.defaultValue();
        private int maxBatchRows = CassandraSinkOptions.MAX_BATCH_ROWS.defaultValue();
        private long maxBatchBytes = CassandraSinkOptions.MAX_BATCH_SIZE.defaultValue().getBytes();
        private Duration maxBatchDelay = CassandraSinkOptions.MAX_BATCH_DELAY.defaultValue();
        private Duration initialBackoff = CassandraSinkOptions.INITIAL_BACKOFF.defaultValue();
        private Duration maxBackoff = CassandraSinkOptions.MAX_BACKOFF.defaultValue();
        private Duration requestTimeout = CassandraSinkOptions.REQUEST_TIMEOUT.defaultValue();
        private DefaultConsistencyLevel consistencyLevel =
                CassandraSinkOptions.CONSISTENCY_LEVEL.defaultValue();

        private Builder() {}

        /** Takes every {@link CassandraSinkOptions} option that is set in {@code config}. */
        public Builder<T> options(ReadableConfig config) {
            config.getOptional(CassandraSinkOptions.CONTACT_POINTS)
                    .ifPresent(points -> contactPoints(points.toArray(String[]::new)));
            config.getOptional(CassandraSinkOptions.LOCAL_DATACENTER)
                    .ifPresent(this::localDatacenter);
            config.getOptional(CassandraSinkOptions.KEYSPACE).ifPresent(this::keyspace);
            config.getOptional(CassandraSinkOptions.MAX_IN_FLIGHT_REQUESTS)
                    .ifPresent(this::maxInFlightRequests);
            config.getOptional(CassandraSinkOptions.MAX_RETRIES).ifPresent(this::maxRetries);
            config.getOptional(CassandraSinkOptions.MAX_BATCH_ROWS).ifPresent(this::maxBatchRows);
            config.getOptional(CassandraSinkOptions.MAX_BATCH_SIZE)
                    .ifPresent(size -> maxBatchBytes(size.getBytes()));
            config.getOptional(CassandraSinkOptions.MAX_BATCH_DELAY).ifPresent(this::maxBatchDelay);
            config.getOptional(CassandraSinkOptions.INITIAL_BACKOFF)
                    .ifPresent(this::initialBackoff);
            config.getOptional(CassandraSinkOptions.MAX_BACKOFF).ifPresent(this::maxBackoff);
            config.getOptional(CassandraSinkOptions.REQUEST_TIMEOUT)
                    .ifPresent(this::requestTimeout);
            config.getOptional(CassandraSinkOptions.CONSISTENCY_LEVEL)
                    .ifPresent(this::consistencyLevel);
            return this;
        }

        /** Nodes to connect to first; replaces any contact points given before. */
        public Builder<T> contactPoints(List<InetSocketAddress> addresses) {
            checkNotNull(addresses, "contactPoints must not be null");
            contactPoints.clear();
            contactPoints.addAll(addresses);
            return this;
        }

        /**
         * Nodes to connect to first, as {@code host:port} ({@code [v6-address]:port} for IPv6);
         * replaces any contact points given before.
         */
        public Builder<T> contactPoints(String... hostAndPorts) {
            checkNotNull(hostAndPorts, "contactPoints must not be null");
            List<InetSocketAddress> addresses = new ArrayList<>();
            for (String hostAndPort : hostAndPorts) {
                addresses.add(CassandraSinkOptions.parseContactPoint(hostAndPort));
            }
            return contactPoints(addresses);
        }

        /** The data centre of the nodes that coordinate writes, e.g. {@code datacenter1}. */
        public Builder<T> localDatacenter(String localDatacenter) {
            this.localDatacenter = localDatacenter;
            return this;
        }

        /** Keyspace for unqualified table names in the statement; optional. */
        public Builder<T> keyspace(String keyspace) {
            this.keyspace = keyspace;
            return this;
        }

        /** The CQL of an idempotent upsert with bind markers, prepared once per writer. */
        public Builder<T> statement(String cql) {
            this.statement = cql;
            return this;
        }

        /** Binds a record to the prepared statement; shipped to TaskManagers, so serializable. */
        public Builder<T> binder(CassandraRowBinder<T> binder) {
            this.binder = binder;
            return this;
        }

        /** Writes a subtask may have outstanding, retries included; default 256. */
        public Builder<T> maxInFlightRequests(int maxInFlightRequests) {
            this.maxInFlightRequests = maxInFlightRequests;
            return this;
        }

        /** Retries of a write with a retryable error before the job fails; default 10. */
        public Builder<T> maxRetries(int maxRetries) {
            this.maxRetries = maxRetries;
            return this;
        }

        /**
         * Rows of partitions with the same replicas sent together as one unlogged batch; 1 sends
         * every row on its own; default 32.
         */
        public Builder<T> maxBatchRows(int maxBatchRows) {
            this.maxBatchRows = maxBatchRows;
            return this;
        }

        /** Bytes of bound values per batch at most; default 40 KiB. */
        public Builder<T> maxBatchBytes(long maxBatchBytes) {
            this.maxBatchBytes = maxBatchBytes;
            return this;
        }

        /** How long a row waits for its batch to fill up; default 10ms. */
        public Builder<T> maxBatchDelay(Duration maxBatchDelay) {
            this.maxBatchDelay = maxBatchDelay;
            return this;
        }

        /** Backoff ceiling before the first retry, doubled for each further one; default 100ms. */
        public Builder<T> initialBackoff(Duration initialBackoff) {
            this.initialBackoff = initialBackoff;
            return this;
        }

        /** Upper bound of the backoff between retries; default 10s. */
        public Builder<T> maxBackoff(Duration maxBackoff) {
            this.maxBackoff = maxBackoff;
            return this;
        }

        /** How long the driver waits for one write attempt; default 10s. */
        public Builder<T> requestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout;
            return this;
        }

        /** Consistency level of the writes; default {@code LOCAL_QUORUM}. */
        public Builder<T> consistencyLevel(DefaultConsistencyLevel consistencyLevel) {
            this.consistencyLevel = consistencyLevel;
            return this;
        }

        /** Checks the description and builds the sink. */
        public CassandraSink<T> build() {
            checkState(
                    !contactPoints.isEmpty(),
                    "contactPoints must name at least one Cassandra node, e.g. 'localhost:9042'");
            checkState(
                    localDatacenter != null && !localDatacenter.isBlank(),
                    "localDatacenter must be set: the driver only sends requests to nodes of the"
                            + " local data centre, e.g. 'datacenter1'");
            checkState(
                    keyspace == null || !keyspace.isBlank(),
                    "keyspace must not be blank; leave it unset to use qualified table names");
            checkState(
                    statement != null && !statement.isBlank(),
                    "statement must be set to the CQL of an idempotent upsert");
            checkNotNull(binder, "binder must be set to bind records to '%s'", statement);
            checkState(
                    maxInFlightRequests > 0,
                    "maxInFlightRequests must be positive, got %s",
                    maxInFlightRequests);
            checkState(maxRetries >= 0, "maxRetries must not be negative, got %s", maxRetries);
            checkState(maxBatchRows > 0, "maxBatchRows must be positive, got %s", maxBatchRows);
            checkState(maxBatchBytes > 0, "maxBatchBytes must be positive, got %s", maxBatchBytes);
            checkState(
                    maxBatchDelay != null && !maxBatchDelay.isNegative(),
                    "maxBatchDelay must not be negative, got %s",
                    maxBatchDelay);
            checkState(
                    isPositive(initialBackoff),
                    "initialBackoff must be positive, got %s",
                    initialBackoff);
            checkState(
                    maxBackoff != null && maxBackoff.compareTo(initialBackoff) >= 0,
                    "maxBackoff (%s) must not be shorter than initialBackoff (%s)",
                    maxBackoff,
                    initialBackoff);
            checkState(
                    isPositive(requestTimeout),
                    "requestTimeout must be positive, got %s",
                    requestTimeout);
            checkNotNull(consistencyLevel, "consistencyLevel must not be null");
            checkSerializable(binder);
            return new CassandraSink<>(this);
        }

        private static boolean isPositive(Duration duration) {
            return duration != null && duration.compareTo(Duration.ZERO) > 0;
        }

        /**
         * Fails here, where the caller can see which binder is at fault, rather than at job
         * submission with a generic serialization error.
         */
        private static void checkSerializable(CassandraRowBinder<?> binder) {
            try {
                InstantiationUtil.serializeObject(binder);
            } catch (IOException e) {
                throw new IllegalStateException(
                        String.format(
                                "binder %s must be serializable, as it ships to the TaskManagers;"
                                        + " does it capture a non-serializable object? (%s)",
                                binder.getClass().getName(), e),
                        e);
            }
        }
    }
}
