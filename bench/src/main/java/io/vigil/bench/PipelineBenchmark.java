package io.vigil.bench;

import io.vigil.bench.measure.ProcFs;
import io.vigil.bench.pipeline.BenchSettings;
import io.vigil.bench.pipeline.Console;
import io.vigil.bench.pipeline.PipelineReport;
import io.vigil.bench.pipeline.PrometheusFigures;
import io.vigil.bench.pipeline.PrometheusRun;
import io.vigil.bench.pipeline.VigilFigures;
import io.vigil.bench.pipeline.VigilPipelineRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The pipeline benchmark: the whole of Vigil as {@code vigil up} runs it (Kafka, Flink's
 * metrics-rollup and alerting jobs side by side on one TaskManager, Cassandra) and Prometheus, one
 * after the other on the same machine, ingesting the same simulated fleet at the same rate. Reports
 * sustained throughput and both jobs' lag, CPU seconds per million samples, bytes per sample on the
 * wire and on disk, and Vigil's sample-to-rollup latency. Started by the {@code
 * bench/pipeline-benchmark} script, which builds what is missing and cleans up after a killed run.
 */
@Command(
        name = "pipeline-benchmark",
        mixinStandardHelpOptions = true,
        subcommands = StopLeftovers.class,
        description =
                "Runs Vigil's pipeline as vigil up does (metrics-rollup and alerting on one"
                        + " TaskManager, the default rules applied) and Prometheus, one after the"
                        + " other on the same simulated fleet, and reports throughput, both jobs'"
                        + " lag, CPU per million samples, bytes per sample and latency.")
public final class PipelineBenchmark implements Callable<Integer> {
    @Mixin BenchRunOptions run;

    @Option(names = "--hosts", defaultValue = "10000", description = "Hosts (${DEFAULT-VALUE}).")
    int hosts;

    @Option(
            names = "--series-per-host",
            defaultValue = "10",
            description = "Series per host (${DEFAULT-VALUE}).")
    int seriesPerHost;

    @Option(
            names = "--rate",
            defaultValue = "100000",
            description =
                    "Samples per second in total (${DEFAULT-VALUE}); every series reports once"
                            + " per hosts x series / rate.")
    double rate;

    @Option(
            names = "--warm-up",
            defaultValue = "PT60S",
            description =
                    "Warm-up before measuring, ISO-8601 (${DEFAULT-VALUE}); measuring starts at"
                            + " the next whole minute after it.")
    Duration warmUp;

    @Option(
            names = "--measure",
            defaultValue = "PT180S",
            description = "Measured period, rounded up to whole minutes (${DEFAULT-VALUE}).")
    Duration measure;

    @Option(
            names = "--profile",
            defaultValue = "PT60S",
            description =
                    "JFR profile of the TaskManager, Kafka and Cassandra after the measured period"
                            + " and its rollups (${DEFAULT-VALUE}; PT0S: none).")
    Duration profile;

    @Option(
            names = "--latency-series",
            defaultValue = "100",
            description = "Series whose rollup latency is followed (${DEFAULT-VALUE}).")
    int latencySeries;

    @Option(
            names = "--targets",
            defaultValue = "200",
            description =
                    "Prometheus scrape targets the fleet is split into (${DEFAULT-VALUE}, at most"
                            + " one per host).")
    int targets;

    @Option(
            names = "--systems",
            split = ",",
            defaultValue = "vigil,prometheus",
            description = "Which systems to run: vigil, prometheus or both (${DEFAULT-VALUE}).")
    List<String> systems;

    @Option(
            names = "--state-backend",
            defaultValue = "hashmap",
            description =
                    "Flink state backend of the Vigil side: hashmap (the session cluster's"
                            + " default) or rocksdb (${DEFAULT-VALUE}).")
    String stateBackend;

    @Override
    public Integer call() throws IOException {
        run.requireRun(this);
        BenchSettings settings =
                new BenchSettings(
                        hosts,
                        seriesPerHost,
                        rate,
                        warmUp,
                        measure,
                        profile,
                        latencySeries,
                        // A small fleet has fewer hosts than the default number of targets.
                        Math.min(targets, hosts));
        String machine = machine();
        Console.say("machine: %s", machine);

        Optional<VigilFigures> vigil = Optional.empty();
        String vigilFailure = "";
        if (systems.contains("vigil")) {
            try {
                if (run.jobJar == null) {
                    throw new IllegalArgumentException("--job-jar is needed to run Vigil");
                }
                VigilPipelineRun.StateBackend backend =
                        VigilPipelineRun.StateBackend.valueOf(
                                stateBackend.toUpperCase(java.util.Locale.ROOT));
                vigil =
                        Optional.of(
                                new VigilPipelineRun(settings, run.runDir, run.jobJar, backend)
                                        .run());
            } catch (Exception e) {
                vigilFailure = describe(e);
                Console.say("Vigil side failed: %s", vigilFailure);
            }
        }
        Optional<PrometheusFigures> prometheus = Optional.empty();
        String prometheusFailure = "";
        if (systems.contains("prometheus")) {
            try {
                prometheus =
                        Optional.of(
                                new PrometheusRun(settings, run.runDir, run.prometheusBinary)
                                        .run());
            } catch (Exception e) {
                prometheusFailure = describe(e);
                Console.say("Prometheus side failed: %s", prometheusFailure);
            }
        }

        String report =
                new PipelineReport(
                                run.commandLine,
                                machine,
                                settings,
                                vigil,
                                vigilFailure,
                                prometheus,
                                prometheusFailure)
                        .markdown();
        run.appendReport(report);
        return vigilFailure.isEmpty() && prometheusFailure.isEmpty() ? 0 : 1;
    }

    static String describe(Exception e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        // Start failures carry whole log tails; the first line says what failed.
        return message.lines().findFirst().orElse(message);
    }

    /** CPUs, memory, Java and how loaded the machine was when the run started. */
    static String machine() throws IOException {
        String model =
                Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                        .filter(line -> line.startsWith("model name"))
                        .map(line -> line.substring(line.indexOf(':') + 1).trim())
                        .findFirst()
                        .orElse("unknown CPU");
        long memKib =
                Files.readAllLines(Path.of("/proc/meminfo")).stream()
                        .filter(line -> line.startsWith("MemTotal:"))
                        .map(line -> Long.parseLong(line.replaceAll("\\D", "")))
                        .findFirst()
                        .orElse(0L);
        return String.format(
                "%d CPUs (%s), %.0f GiB RAM, Java %s; load average at the start %s",
                ProcFs.cpus(),
                model,
                memKib / 1024.0 / 1024.0,
                System.getProperty("java.version"),
                ProcFs.loadAverage());
    }

    /** Entry point. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new PipelineBenchmark()).execute(args));
    }
}
