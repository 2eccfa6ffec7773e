package io.vigil.bench.pipeline;

import io.vigil.bench.ExpositionServer;
import io.vigil.bench.Workload;
import io.vigil.bench.measure.CpuSnapshot;
import io.vigil.bench.measure.DiskUsage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Prometheus side of the pipeline benchmark: serves the same fleet as the Vigil side through an
 * {@link ExpositionServer} in this JVM and lets a Prometheus server, run from the given binary with
 * a fresh TSDB, scrape it every step, so that it ingests the same samples per second. Measures a
 * period of whole minutes after the warm-up, then stops Prometheus and the server.
 */
public final class PrometheusRun {
    private static final String APPENDED = "prometheus_tsdb_head_samples_appended_total";
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

    private final BenchSettings settings;
    private final Path runDir;
    private final Path binary;
    private final List<String> notes = new ArrayList<>();

    /**
     * @param settings the workload and durations
     * @param runDir this run's folder; Prometheus's configuration, TSDB and log go to {@code
     *     prometheus/} in it
     * @param binary the prometheus executable
     */
    public PrometheusRun(BenchSettings settings, Path runDir, Path binary) {
        this.settings = settings;
        this.runDir = runDir;
        this.binary = binary;
    }

    /**
     * Runs the Prometheus side; Prometheus and the server are stopped when it returns or throws.
     */
    public PrometheusFigures run() throws IOException, InterruptedException {
        Duration step = settings.step();
        Workload workload = new Workload(settings.fleet(), step, 1, 0, Duration.ZERO);
        Path dir = runDir.resolve("prometheus");
        String version = PrometheusProcess.version(binary);
        try (ExpositionServer server =
                        new ExpositionServer(
                                workload,
                                step,
                                settings.prometheusTargets(),
                                Clock.systemUTC(),
                                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                PrometheusProcess prometheus =
                        PrometheusProcess.start(binary, dir, config(server, step, ""))) {
            MeasuredPeriod period =
                    MeasuredPeriod.after(Instant.now(), settings.warmUp(), settings.measure());
            Console.say(
                    "Prometheus: %s at %s scrapes %d targets every %d ms (%,.0f samples/s); TSDB"
                            + " in %s; warm-up until %s, measuring until %s",
                    version,
                    prometheus.uri(),
                    settings.prometheusTargets(),
                    step.toMillis(),
                    settings.effectiveRate(),
                    prometheus.tsdb(),
                    local(period.start()),
                    local(period.end()));
            Map<String, Long> pids = new LinkedHashMap<>();
            pids.put(PrometheusFigures.PROMETHEUS, prometheus.pid());
            pids.put(PrometheusFigures.EXPOSITION, ProcessHandle.current().pid());

            System.out.printf(
                    "%-8s %-7s %12s %12s %10s %12s%n",
                    "time", "phase", "appended/s", "served/s", "targets up", "head series");
            follow(prometheus, server, period.start(), "");
            Boundary start = boundary(prometheus, server, pids);
            follow(prometheus, server, period.end(), "measure");
            Boundary end = boundary(prometheus, server, pids);

            int up = (int) prometheus.query("count(up == 1)").orElse(0);
            if (up < settings.prometheusTargets()) {
                notes.add(
                        String.format(
                                "only %d of %d targets were up at the end",
                                up, settings.prometheusTargets()));
            }
            return new PrometheusFigures(
                    version,
                    period,
                    settings.effectiveRate(),
                    settings.prometheusTargets(),
                    up,
                    end.appended - start.appended,
                    end.appended
                            - start.appended
                            - Math.round(
                                    PrometheusFigures.SERIES_ADDED_PER_TARGET
                                            * (double) up
                                            * period.seconds()
                                            * 1000
                                            / step.toMillis()),
                    end.served - start.served,
                    end.servedBytes - start.servedBytes,
                    (long) prometheus.selfMetric("prometheus_tsdb_head_series"),
                    prometheus.query("quantile(0.5, scrape_duration_seconds)").orElse(Double.NaN),
                    prometheus.query("quantile(0.99, scrape_duration_seconds)").orElse(Double.NaN),
                    end.walBytes - start.walBytes,
                    end.headChunkBytes - start.headChunkBytes,
                    end.cpu.since(start.cpu),
                    List.copyOf(notes));
        } finally {
            Console.say("Prometheus: stopped");
        }
    }

    /**
     * prometheus.yml: one job whose targets are the server's shards. Each target sets its own path
     * and instance label; the scrape interval is the workload's step, so every series is scraped as
     * often as the generator sends it to Kafka, and rules (if any) are evaluated as often.
     *
     * @param topLevelSections more top-level YAML appended as is, e.g. {@code rule_files:} and
     *     {@code alerting:}; empty for none
     */
    public static String config(ExpositionServer server, Duration step, String topLevelSections) {
        String interval = step.toMillis() + "ms";
        StringBuilder yaml =
                new StringBuilder()
                        .append("# Written by a Vigil benchmark for this run only.\n")
                        .append("global:\n")
                        .append("  scrape_interval: ")
                        .append(interval)
                        .append('\n')
                        .append("  scrape_timeout: ")
                        .append(interval)
                        .append('\n')
                        .append("  evaluation_interval: ")
                        .append(interval)
                        .append('\n')
                        .append("scrape_configs:\n")
                        .append("  - job_name: fleet\n")
                        .append("    static_configs:\n");
        for (String path : server.targetPaths()) {
            yaml.append("      - targets: ['127.0.0.1:")
                    .append(server.port())
                    .append("']\n")
                    .append("        labels:\n")
                    .append("          __metrics_path__: '")
                    .append(path)
                    .append("'\n")
                    .append("          instance: '")
                    .append(path.substring(path.lastIndexOf('/') + 1))
                    .append("'\n");
        }
        return yaml.append(topLevelSections).toString();
    }

    private Boundary boundary(
            PrometheusProcess prometheus, ExpositionServer server, Map<String, Long> pids)
            throws IOException, InterruptedException {
        Path tsdb = prometheus.tsdb();
        return new Boundary(
                (long) prometheus.selfMetric(APPENDED),
                server.samplesServed(),
                server.bytesServed(),
                DiskUsage.bytes(tsdb.resolve("wal"), file -> true),
                DiskUsage.bytes(tsdb.resolve("chunks_head"), file -> true),
                CpuSnapshot.take(pids));
    }

    /** Prints progress every five seconds until {@code until}. */
    private static void follow(
            PrometheusProcess prometheus, ExpositionServer server, Instant until, String phase)
            throws InterruptedException {
        long lastAppended = -1;
        long lastServed = -1;
        long lastAt = 0;
        while (Instant.now().isBefore(until)) {
            long now = System.currentTimeMillis();
            long next = (now / PROGRESS_EVERY.toMillis() + 1) * PROGRESS_EVERY.toMillis();
            Thread.sleep(Math.max(1, Math.min(next, until.toEpochMilli()) - now));
            if (System.currentTimeMillis() < next) {
                continue;
            }
            try {
                long at = System.currentTimeMillis();
                long appended = (long) prometheus.selfMetric(APPENDED);
                long served = server.samplesServed();
                double seconds = (at - lastAt) / 1000.0;
                System.out.printf(
                        "%-8s %-7s %,12.0f %,12.0f %10.0f %,12.0f%n",
                        local(Instant.ofEpochMilli(at)),
                        phase,
                        lastAppended < 0 ? Double.NaN : (appended - lastAppended) / seconds,
                        lastServed < 0 ? Double.NaN : (served - lastServed) / seconds,
                        prometheus.query("count(up == 1)").orElse(0),
                        prometheus.selfMetric("prometheus_tsdb_head_series"));
                System.out.flush();
                lastAppended = appended;
                lastServed = served;
                lastAt = at;
            } catch (IOException e) {
                Console.say("Prometheus: progress not readable now (%s)", e.getMessage());
            }
        }
    }

    private static LocalTime local(Instant instant) {
        return LocalTime.ofInstant(instant, ZoneId.systemDefault()).truncatedTo(ChronoUnit.SECONDS);
    }

    /** What is measured at the start and at the end of the period. */
    private record Boundary(
            long appended,
            long served,
            long servedBytes,
            long walBytes,
            long headChunkBytes,
            CpuSnapshot cpu) {}
}
