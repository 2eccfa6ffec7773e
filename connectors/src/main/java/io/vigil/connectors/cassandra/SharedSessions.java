package io.vigil.connectors.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link CqlSession} per cluster (and settings) in a TaskManager, shared by every sink writer
 * of a job there, and closed when the last of them lets go.
 *
 * <p>A session is heavy: connection pools to every node, event loops, a metadata refresh, a schema
 * agreement on DDL. A job with several Cassandra sinks at some parallelism would otherwise open
 * sinks x parallelism sessions per TaskManager (the driver warns beyond four), each one costing
 * threads, memory and CPU on both sides. The driver is built to be shared: a session is thread-safe
 * and multiplexes thousands of requests per connection.
 *
 * <p>The registry is a static of this class, which Flink loads in the job's class loader: sessions
 * are therefore shared within one job in one TaskManager, never across jobs, and released with the
 * job's tasks. A failing task releases its lease like a finishing one; the session closes once no
 * task of the job holds it, so a restart connects afresh.
 */
final class SharedSessions {
    private static final Logger LOG = LoggerFactory.getLogger(SharedSessions.class);

    /** What makes two sessions interchangeable. */
    record Key(
            List<InetSocketAddress> contactPoints,
            String localDatacenter,
            String keyspace,
            Duration requestTimeout) {}

    // Guarded by the class lock. A mutable static on purpose: it is the point of this class.
    private static final Map<Key, Shared> SESSIONS = new HashMap<>();

    // Guarded by the class lock; sessions opened since the class was loaded (for tests).
    private static long connects;

    private SharedSessions() {}

    /**
     * A lease on the session for {@code key}, connecting with {@code connect} if no writer holds
     * one. Connecting happens under the registry's lock, so concurrent writers of a starting job
     * open one session between them, not one each.
     */
    static synchronized Lease acquire(Key key, Supplier<CqlSession> connect) {
        Shared shared = SESSIONS.get(key);
        if (shared == null) {
            shared = new Shared(connect.get());
            SESSIONS.put(key, shared);
            connects++;
        }
        shared.leases++;
        return new Lease(key, shared.session);
    }

    /** Number of sessions opened since this class was loaded (for tests). */
    static synchronized long connects() {
        return connects;
    }

    /** Number of open shared sessions (for tests). */
    static synchronized int open() {
        return SESSIONS.size();
    }

    private static void release(Key key, CqlSession session, Duration closeTimeout)
            throws InterruptedException {
        synchronized (SharedSessions.class) {
            Shared shared = SESSIONS.get(key);
            if (shared == null || shared.session != session) {
                return;
            }
            if (--shared.leases > 0) {
                return;
            }
            SESSIONS.remove(key);
        }
        // Outside the lock: closing waits, and other jobs' writers may be acquiring meanwhile.
        // Forced, without waiting for requests in flight: the last writer only lets go after a
        // flush (nothing in flight) or because its task failed, and then those writes belong to an
        // attempt that is replayed from the last checkpoint. Bounded, so a stuck close never hangs
        // a task.
        try {
            session.forceCloseAsync()
                    .toCompletableFuture()
                    .get(closeTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("Cassandra session did not close within {}; abandoning it", closeTimeout);
        } catch (ExecutionException e) {
            LOG.warn("Cassandra session failed to close cleanly", e.getCause());
        }
    }

    private static final class Shared {
        final CqlSession session;
        int leases;

        Shared(CqlSession session) {
            this.session = session;
        }
    }

    /** One writer's hold on a shared session; released once. */
    static final class Lease {
        private final Key key;
        private final CqlSession session;
        private boolean released;

        private Lease(Key key, CqlSession session) {
            this.key = key;
            this.session = session;
        }

        CqlSession session() {
            return session;
        }

        /** Lets go of the session, closing it if no other writer holds it. Idempotent. */
        void release(Duration closeTimeout) throws InterruptedException {
            if (released) {
                return;
            }
            released = true;
            SharedSessions.release(key, session, closeTimeout);
        }
    }
}
