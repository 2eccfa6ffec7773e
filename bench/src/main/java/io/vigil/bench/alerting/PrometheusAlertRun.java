package io.vigil.bench.alerting;

import com.fasterxml.jackson.databind.JsonNode;
import io.vigil.bench.ExpositionServer;
import io.vigil.bench.Incident;
import io.vigil.bench.IncidentSchedule;
import io.vigil.bench.Workload;
import io.vigil.bench.pipeline.Console;
import io.vigil.bench.pipeline.PipelineReport;
import io.vigil.bench.pipeline.PrometheusFigures;
import io.vigil.bench.pipeline.PrometheusProcess;
import io.vigil.bench.pipeline.PrometheusRun;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Prometheus side of the alert-latency benchmark: an {@link ExpositionServer} in this JVM
 * serves the same fleet and the same incidents; Prometheus scrapes it and evaluates the same rule
 * every step and sends to an Alertmanager, which posts to the benchmark's {@link
 * AlertWebhookReceiver}.
 *
 * <p>t0 is the moment an incident's value became visible (the step boundary from which the server
 * shows it). Stages: the rule evaluation that fired (the alert's {@code startsAt}, which Prometheus
 * sets to that evaluation's time for {@code for: 0}), the alert received by Alertmanager (its
 * {@code updatedAt}, set on receipt; read by polling Alertmanager's API every 100 ms, and taken
 * from the first sighting, before Prometheus's one-minute resend could move it), the webhook
 * received.
 */
public final class PrometheusAlertRun {
    static final String EVALUATED = "prometheus evaluated";
    static final String IN_ALERTMANAGER = "alertmanager received";

    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);
    private static final String APPENDED = "prometheus_tsdb_head_samples_appended_total";

    private final AlertLatencySettings settings;
    private final Path runDir;
    private final Path prometheusBinary;
    private final Path alertmanagerBinary;
    private final List<String> notes = new ArrayList<>();

    public PrometheusAlertRun(
            AlertLatencySettings settings,
            Path runDir,
            Path prometheusBinary,
            Path alertmanagerBinary) {
        this.settings = settings;
        this.runDir = runDir;
        this.prometheusBinary = prometheusBinary;
        this.alertmanagerBinary = alertmanagerBinary;
    }

    /** Runs the side; every process it started is stopped when it returns or throws. */
    public SideResult run() throws IOException, InterruptedException {
        Duration step = settings.step();
        List<Incident> incidents = settings.plan();
        IncidentLatencies latencies =
                new IncidentLatencies(incidents.stream().map(Incident::host).toList());
        long start = System.currentTimeMillis();
        IncidentSchedule schedule = new IncidentSchedule(incidents, start);
        Workload workload = new Workload(settings.fleet(), step, 1, 0, Duration.ZERO);
        String prometheusVersion = shortVersion(PrometheusProcess.version(prometheusBinary));
        String alertmanagerVersion = shortVersion(PrometheusProcess.version(alertmanagerBinary));
        try (AlertWebhookReceiver receiver =
                        new AlertWebhookReceiver(AlertLatencySettings.ALERTNAME, latencies);
                AlertmanagerProcess alertmanager =
                        AlertmanagerProcess.start(
                                alertmanagerBinary,
                                runDir.resolve("alertmanager"),
                                receiver.routeEverythingHere());
                ExpositionServer server =
                        new ExpositionServer(
                                workload,
                                step,
                                settings.prometheusTargets(),
                                Clock.systemUTC(),
                                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                                schedule);
                PrometheusProcess prometheus = startPrometheus(server, alertmanager)) {
            Console.say(
                    "Prometheus: %s scrapes %d targets every %d ms (%,.0f samples/s) and evaluates"
                            + " every %d ms; %s at %s; %d incidents from %s s, one every %s s",
                    prometheusVersion,
                    settings.prometheusTargets(),
                    step.toMillis(),
                    settings.effectiveRate(),
                    step.toMillis(),
                    alertmanagerVersion,
                    alertmanager.uri(),
                    incidents.size(),
                    settings.warmUp().toSeconds(),
                    settings.spacing().toSeconds());
            long firstIncident = start + settings.warmUp().toMillis();
            long end = start + settings.total().toMillis();
            double appendedAtFirst = Double.NaN;
            long appendedFrom = 0;
            double appendedAtLast = Double.NaN;
            long appendedTo = 0;
            Set<String> sighted = new HashSet<>();
            long nextProgress = System.currentTimeMillis() + PROGRESS_EVERY.toMillis();
            while (System.currentTimeMillis() < end
                    && !(System.currentTimeMillis()
                                    > firstIncident
                                            + settings.spacing().toMillis()
                                                    * (incidents.size() - 1L)
                            && latencies.seenCount(AlertWebhookReceiver.STAGE)
                                    == incidents.size())) {
                Thread.sleep(POLL.toMillis());
                try {
                    poll(alertmanager, latencies, sighted);
                } catch (IOException e) {
                    notes.add("an Alertmanager poll failed: " + e.getMessage());
                }
                long now = System.currentTimeMillis();
                if (Double.isNaN(appendedAtFirst) && now >= firstIncident) {
                    appendedAtFirst = prometheus.selfMetric(APPENDED);
                    appendedFrom = now;
                }
                if (now >= nextProgress) {
                    nextProgress += PROGRESS_EVERY.toMillis();
                    if (!Double.isNaN(appendedAtFirst)) {
                        appendedAtLast = prometheus.selfMetric(APPENDED);
                        appendedTo = now;
                    }
                    Console.say(
                            "Prometheus: %d of %d incidents begun; alerts in Alertmanager %d,"
                                    + " webhooks %d",
                            incidents.stream()
                                    .filter(i -> schedule.visibleFrom(i, step) <= now)
                                    .count(),
                            incidents.size(),
                            latencies.seenCount(IN_ALERTMANAGER),
                            latencies.seenCount(AlertWebhookReceiver.STAGE));
                }
            }
            List<Long> scrapeWaits = new ArrayList<>();
            for (Incident incident : incidents) {
                long visible = schedule.visibleFrom(incident, step);
                // An incident never served (the run ended first) has no t0: it counts as missing.
                schedule.firstServed(incident)
                        .ifPresent(
                                served -> {
                                    latencies.injected(incident.host(), visible);
                                    scrapeWaits.add(served - visible);
                                });
            }
            int up = (int) prometheus.query("count(up == 1)").orElse(0);
            // Prometheus adds series of its own to every target (up, scrape_duration_seconds, ...).
            double appendedRate =
                    (appendedAtLast - appendedAtFirst) * 1000.0 / (appendedTo - appendedFrom)
                            - PrometheusFigures.SERIES_ADDED_PER_TARGET
                                    * (double) up
                                    * 1000
                                    / step.toMillis();
            AlertWebhookReceiver.Counts counts = receiver.counts();
            Map<String, String> facts = new LinkedHashMap<>();
            facts.put(
                    "background samples/s offered", PipelineReport.count(settings.effectiveRate()));
            facts.put(
                    "background samples/s sustained",
                    String.format(
                            "%s fleet samples appended to the TSDB while the incidents ran (%d of"
                                    + " %d targets up)",
                            PipelineReport.count(appendedRate), up, settings.prometheusTargets()));
            facts.put(
                    "kept up",
                    String.format(
                            "scrape duration p99 %.0f ms (interval %d ms)",
                            1000
                                    * prometheus
                                            .query("quantile(0.99, scrape_duration_seconds)")
                                            .orElse(Double.NaN),
                            step.toMillis()));
            facts.put(
                    "incident value visible -> first scraped, p50 / p90 / p99 / max",
                    new LatencySummary(scrapeWaits).percentilesText());
            facts.put(
                    "webhook requests",
                    String.format(
                            "%d (%d resolved alerts, %d of other rules, %d malformed)",
                            counts.requests(),
                            counts.resolved(),
                            counts.otherAlerts(),
                            counts.malformed()));
            facts.put(
                    "configuration",
                    String.format(
                            "%s and %s (Debian); scrape and evaluation interval %d ms; rule `%s >"
                                    + " %s`, `for: 0s`; Alertmanager `group_by: ['...']`,"
                                    + " `group_wait: 0s`, `group_interval: 1s`, clustering off",
                            prometheusVersion,
                            alertmanagerVersion,
                            step.toMillis(),
                            Incident.CPU_METRIC,
                            AlertLatencySettings.THRESHOLD));
            return new SideResult(
                    "Prometheus + Alertmanager",
                    "the incident's value visible at the exposition server (its step boundary)",
                    List.of(
                            latencies.stage(EVALUATED),
                            latencies.stage(IN_ALERTMANAGER),
                            latencies.stage(AlertWebhookReceiver.STAGE)),
                    List.of(
                            "rule evaluation that fired (alert's startsAt)",
                            "received by Alertmanager (its updatedAt)",
                            "webhook received from Alertmanager"),
                    facts,
                    List.copyOf(notes),
                    Map.of());
        } finally {
            Console.say("Prometheus: Prometheus, Alertmanager and the exposition server stopped");
        }
    }

    private PrometheusProcess startPrometheus(
            ExpositionServer server, AlertmanagerProcess alertmanager)
            throws IOException, InterruptedException {
        Path dir = runDir.resolve("prometheus");
        Files.createDirectories(dir);
        Files.writeString(
                dir.resolve("rules.yml"),
                String.format(
                        "groups:%n"
                                + "  - name: bench%n"
                                + "    rules:%n"
                                + "      - alert: %s%n"
                                + "        expr: %s > %s%n"
                                + "        for: 0s%n"
                                + "        labels:%n"
                                + "          severity: critical%n",
                        AlertLatencySettings.ALERTNAME,
                        Incident.CPU_METRIC,
                        AlertLatencySettings.THRESHOLD));
        String alerting =
                String.format(
                        "rule_files:%n"
                                + "  - rules.yml%n"
                                + "alerting:%n"
                                + "  alertmanagers:%n"
                                + "    - static_configs:%n"
                                + "        - targets: ['%s:%d']%n",
                        alertmanager.uri().getHost(), alertmanager.uri().getPort());
        return PrometheusProcess.start(
                prometheusBinary, dir, PrometheusRun.config(server, settings.step(), alerting));
    }

    /** Reports each firing alert of the rule once per episode (fingerprint and start). */
    private static void poll(
            AlertmanagerProcess alertmanager, IncidentLatencies latencies, Set<String> sighted)
            throws IOException, InterruptedException {
        for (JsonNode alert : alertmanager.alerts(AlertLatencySettings.ALERTNAME)) {
            String startsAt = alert.path("startsAt").asText();
            if (!sighted.add(alert.path("fingerprint").asText() + "@" + startsAt)) {
                continue;
            }
            String host = alert.path("labels").path("host").asText(null);
            latencies.seen(EVALUATED, host, millis(startsAt));
            latencies.seen(IN_ALERTMANAGER, host, millis(alert.path("updatedAt").asText()));
        }
    }

    /** {@code prometheus 2.42.0+ds} of {@code prometheus, version 2.42.0+ds (branch: ...)}. */
    private static String shortVersion(String versionLine) {
        int branch = versionLine.indexOf(" (");
        return (branch < 0 ? versionLine : versionLine.substring(0, branch))
                .replace(", version", "");
    }

    private static long millis(String rfc3339) {
        return OffsetDateTime.parse(rfc3339).toInstant().toEpochMilli();
    }
}
