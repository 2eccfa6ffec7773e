package io.vigil.bench.alerting;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Matches alerts to the incidents that caused them, by the incident host's {@code host} label, and
 * turns them into latencies: from the incident's start ({@code t0}) to each stage where its firing
 * alert was seen (on the alerts topic, at the webhook).
 *
 * <pre>{@code
 * IncidentLatencies latencies = new IncidentLatencies(List.of("host-000007", "host-000042"));
 * latencies.injected("host-000007", ackedAt);           // t0, from any thread
 * latencies.seen("webhook", "host-000007", receivedAt);  // t2
 * latencies.stage("webhook").latenciesMillis();
 * }</pre>
 *
 * <p>The measurement must not pass vacuously: an incident whose alert never reached a stage counts
 * there as missing; a second firing alert for the same host as a duplicate; a firing alert for a
 * host without an incident, or one seen before its incident began, as unexpected. Only the first
 * firing alert per host and stage gives a latency. Incidents without a {@code t0} (never injected)
 * count as missing in every stage.
 */
public final class IncidentLatencies {
    private final List<String> hosts;
    private final Map<String, Long> injectedAt = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Long>> firstSeen = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> duplicates = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> unexpected = new ConcurrentHashMap<>();

    /**
     * @param hosts the incident hosts, one incident each, in the order of the incidents
     */
    public IncidentLatencies(List<String> hosts) {
        if (hosts.stream().distinct().count() != hosts.size()) {
            throw new IllegalArgumentException(
                    "each incident needs a host of its own, or its alerts are ambiguous: " + hosts);
        }
        this.hosts = List.copyOf(hosts);
    }

    /** The incident on {@code host} began at {@code t0Millis} (ms since the epoch). */
    public void injected(String host, long t0Millis) {
        if (!hosts.contains(host)) {
            throw new IllegalArgumentException(host + " has no incident");
        }
        injectedAt.putIfAbsent(host, t0Millis);
    }

    /** How many incidents have their {@code t0}. */
    public int injectedCount() {
        return injectedAt.size();
    }

    /** Whether the incident on {@code host} has its {@code t0}. */
    public boolean isInjected(String host) {
        return injectedAt.containsKey(host);
    }

    /**
     * A firing alert for {@code host} reached {@code stage} at {@code atMillis}.
     *
     * @param host the alert's {@code host} label; null if it has none (counted as unexpected)
     */
    public void seen(String stage, String host, long atMillis) {
        if (host == null || !hosts.contains(host)) {
            counter(unexpected, stage).incrementAndGet();
            return;
        }
        Long previous =
                firstSeen
                        .computeIfAbsent(stage, s -> new ConcurrentHashMap<>())
                        .putIfAbsent(host, atMillis);
        if (previous != null) {
            counter(duplicates, stage).incrementAndGet();
        }
    }

    /** How many incidents reached {@code stage} so far. */
    public int seenCount(String stage) {
        return firstSeen.getOrDefault(stage, Map.of()).size();
    }

    public int incidents() {
        return hosts.size();
    }

    /** The latencies of a stage and what did not count. */
    public Stage stage(String stage) {
        Map<String, Long> seen = firstSeen.getOrDefault(stage, Map.of());
        List<Long> latencies = new ArrayList<>();
        int missing = 0;
        int early = 0;
        Map<String, Long> byHost = new LinkedHashMap<>();
        for (String host : hosts) {
            Long t0 = injectedAt.get(host);
            Long at = seen.get(host);
            if (t0 == null || at == null) {
                missing++;
            } else if (at < t0) {
                // Seen before the incident began: it was caused by something else.
                early++;
            } else {
                latencies.add(at - t0);
                byHost.put(host, at - t0);
            }
        }
        return new Stage(
                stage,
                hosts.size(),
                List.copyOf(latencies),
                missing,
                counter(duplicates, stage).get(),
                counter(unexpected, stage).get() + early,
                Map.copyOf(byHost));
    }

    /**
     * One line per incident, tab-separated: host, t0 (ms since the epoch) and the latency in ms to
     * each of {@code stages} (empty if it never got there), so that slow incidents can be laid next
     * to what the logs say happened at their time.
     */
    public void write(Path file, List<String> stages) throws IOException {
        StringBuilder tsv = new StringBuilder("host\tt0");
        stages.forEach(stage -> tsv.append('\t').append(stage));
        tsv.append('\n');
        for (String host : hosts) {
            Long t0 = injectedAt.get(host);
            tsv.append(host).append('\t').append(t0 == null ? "" : t0.toString());
            for (String stage : stages) {
                Long at = firstSeen.getOrDefault(stage, Map.of()).get(host);
                tsv.append('\t').append(t0 == null || at == null ? "" : Long.toString(at - t0));
            }
            tsv.append('\n');
        }
        Files.writeString(file, tsv);
    }

    private static AtomicInteger counter(Map<String, AtomicInteger> counters, String stage) {
        return counters.computeIfAbsent(stage, s -> new AtomicInteger());
    }

    /**
     * One stage's outcome.
     *
     * @param name the stage
     * @param incidents incidents planned
     * @param latenciesMillis one per incident that reached the stage, in incident order
     * @param missing incidents whose alert never reached it (or that were never injected)
     * @param duplicates further firing alerts for an incident host
     * @param unexpected firing alerts for hosts without an incident, or before their incident
     * @param latencyByHost the latencies by incident host
     */
    public record Stage(
            String name,
            int incidents,
            List<Long> latenciesMillis,
            int missing,
            int duplicates,
            int unexpected,
            Map<String, Long> latencyByHost) {

        /** Every incident reached the stage once, and nothing else did. */
        public boolean clean() {
            return missing == 0 && duplicates == 0 && unexpected == 0;
        }
    }
}
