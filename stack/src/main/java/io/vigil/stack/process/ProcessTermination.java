package io.vigil.stack.process;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops processes so that none is left behind: SIGTERM first so that Kafka and Cassandra shut down
 * cleanly, SIGKILL after a grace period, then SIGKILL for any descendant that outlived its parent.
 * Works for any process this user may signal, not only children of this JVM, so that {@code vigil
 * down} in another terminal can stop a stack too.
 */
public final class ProcessTermination {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessTermination.class);

    /** After SIGKILL a process is gone within milliseconds; this only bounds a hung kernel. */
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);

    private ProcessTermination() {}

    /**
     * Stops the process and its descendants, waiting up to {@code grace} for it to exit by itself
     * after SIGTERM. Returns at once if it is not alive. Never throws for a process that vanished
     * meanwhile.
     *
     * @param name for the log, e.g. {@code cassandra}
     */
    public static void stop(String name, ProcessHandle process, Duration grace) {
        if (process.pid() == ProcessHandle.current().pid()) {
            throw new IllegalArgumentException(
                    String.format("Refusing to stop this JVM itself (pid %s)", process.pid()));
        }
        if (!process.isAlive()) {
            return;
        }
        // Taken before the parent dies: once it has, its children belong to init and cannot be
        // found from its pid any more.
        List<ProcessHandle> descendants = process.descendants().toList();
        long startNanos = System.nanoTime();
        process.destroy();
        if (!awaitExit(process, grace)) {
            LOG.warn(
                    "{} (pid {}) did not stop within {} s after SIGTERM, killing it",
                    name,
                    process.pid(),
                    grace.toSeconds());
            process.destroyForcibly();
            awaitExit(process, KILL_WAIT);
        }
        for (ProcessHandle descendant : descendants) {
            if (descendant.isAlive()) {
                LOG.warn("Killing pid {}, left behind by {}", descendant.pid(), name);
                descendant.destroyForcibly();
                awaitExit(descendant, KILL_WAIT);
            }
        }
        LOG.info(
                "Stopped {} (pid {}) in {} ms",
                name,
                process.pid(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
    }

    /**
     * Runs the stop actions in parallel and returns when all are done, so that stopping a stack
     * takes as long as its slowest process rather than the sum. Uses its own threads: the common
     * pool has a single thread on a 2-core machine and may be unusable in a shutdown hook.
     */
    public static void inParallel(Collection<? extends Runnable> stopActions) {
        List<Thread> threads = new ArrayList<>();
        for (Runnable action : stopActions) {
            Thread thread = new Thread(action, "vigil-stop-" + threads.size());
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }
        boolean interrupted = false;
        for (Thread thread : threads) {
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    // Keep waiting: returning early would leave processes running.
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean awaitExit(ProcessHandle process, Duration timeout) {
        try {
            process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return !process.isAlive();
        } catch (ExecutionException e) {
            return !process.isAlive();
        } catch (InterruptedException e) {
            // Whoever interrupts us wants to be done: no more waiting, kill it now.
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return false;
        }
    }
}
