package io.vigil.bench;

import io.vigil.bench.alerting.AlertLatencyReport;
import io.vigil.bench.alerting.AlertLatencySettings;
import io.vigil.bench.alerting.PrometheusAlertRun;
import io.vigil.bench.alerting.SideResult;
import io.vigil.bench.alerting.VigilAlertRun;
import io.vigil.bench.pipeline.Console;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The alert-latency benchmark: how long from an incident's sample to its alert, under background
 * load, for Vigil (Kafka, the alerting job, {@code vigil.alerts}, the notifier) and then for
 * Prometheus with Alertmanager on the same fleet and incidents. Started by the {@code
 * bench/alert-latency} script, which builds what is missing and cleans up after a killed run.
 */
@Command(
        name = "alert-latency",
        mixinStandardHelpOptions = true,
        subcommands = StopLeftovers.class,
        description =
                "Measures the latency from an incident's sample to its alert on vigil.alerts and"
                        + " at a webhook, under background load, then the same for Prometheus"
                        + " and Alertmanager.")
public final class AlertLatencyBenchmark implements Callable<Integer> {
    @Mixin BenchRunOptions run;

    @Option(names = "--hosts", defaultValue = "5000", description = "Hosts (${DEFAULT-VALUE}).")
    int hosts;

    @Option(
            names = "--series-per-host",
            defaultValue = "10",
            description = "Series per host (${DEFAULT-VALUE}).")
    int seriesPerHost;

    @Option(
            names = "--rate",
            defaultValue = "50000",
            description = "Background samples per second in total (${DEFAULT-VALUE}).")
    double rate;

    @Option(
            names = "--incidents",
            defaultValue = "100",
            description = "Incidents, each on a host of its own (${DEFAULT-VALUE}).")
    int incidents;

    @Option(
            names = "--spacing",
            defaultValue = "PT3S",
            description = "Between two incidents' starts (${DEFAULT-VALUE}).")
    Duration spacing;

    @Option(
            names = "--lasting",
            defaultValue = "PT10S",
            description = "How long each incident host reports high CPU (${DEFAULT-VALUE}).")
    Duration lasting;

    @Option(
            names = "--warm-up",
            defaultValue = "PT60S",
            description = "Background load alone before the first incident (${DEFAULT-VALUE}).")
    Duration warmUp;

    @Option(
            names = "--drain",
            defaultValue = "PT60S",
            description =
                    "How long after the last incident's start to wait for its alerts"
                            + " (${DEFAULT-VALUE}); an alert later than that counts as missing.")
    Duration drain;

    @Option(
            names = "--parallelism",
            defaultValue = "1",
            description =
                    "Each job's parallelism (${DEFAULT-VALUE}); the TaskManager has two slots, one"
                            + " per job, as under vigil up.")
    int parallelism;

    @Option(
            names = "--targets",
            defaultValue = "200",
            description =
                    "Prometheus scrape targets the fleet is split into (${DEFAULT-VALUE}, at most"
                            + " one per host).")
    int targets;

    @Option(
            names = "--profile",
            defaultValue = "PT30S",
            description =
                    "JFR profile of the TaskManager after the incidents (${DEFAULT-VALUE}; PT0S:"
                            + " none).")
    Duration profile;

    @Option(
            names = "--systems",
            split = ",",
            defaultValue = "vigil,prometheus",
            description = "Which systems to run: vigil, prometheus or both (${DEFAULT-VALUE}).")
    List<String> systems;

    @Option(
            names = "--alertmanager",
            defaultValue = "/usr/bin/prometheus-alertmanager",
            description = "The Alertmanager executable (${DEFAULT-VALUE}).")
    Path alertmanagerBinary;

    @Override
    public Integer call() throws IOException {
        run.requireRun(this);
        AlertLatencySettings settings =
                new AlertLatencySettings(
                        hosts,
                        seriesPerHost,
                        rate,
                        incidents,
                        spacing,
                        lasting,
                        warmUp,
                        drain,
                        parallelism,
                        Math.min(targets, hosts),
                        profile);
        String machine = PipelineBenchmark.machine();
        Console.say("machine: %s", machine);

        List<AlertLatencyReport.Side> sides = new ArrayList<>();
        if (systems.contains("vigil")) {
            sides.add(
                    side(
                            "Vigil",
                            () -> {
                                if (run.jobJar == null) {
                                    throw new IllegalArgumentException(
                                            "--job-jar is needed to run Vigil");
                                }
                                return new VigilAlertRun(settings, run.runDir, run.jobJar).run();
                            }));
        }
        if (systems.contains("prometheus")) {
            sides.add(
                    side(
                            "Prometheus + Alertmanager",
                            () ->
                                    new PrometheusAlertRun(
                                                    settings,
                                                    run.runDir,
                                                    run.prometheusBinary,
                                                    alertmanagerBinary)
                                            .run()));
        }
        String report =
                new AlertLatencyReport(run.commandLine, machine, settings, sides).markdown();
        run.appendReport(report);
        boolean clean =
                sides.stream().allMatch(s -> s.result().map(SideResult::clean).orElse(false));
        return clean ? 0 : 1;
    }

    private static AlertLatencyReport.Side side(String system, Callable<SideResult> run) {
        try {
            return new AlertLatencyReport.Side(system, Optional.of(run.call()), "");
        } catch (Exception e) {
            String failure = PipelineBenchmark.describe(e);
            Console.say("%s side failed: %s", system, failure);
            return new AlertLatencyReport.Side(system, Optional.empty(), failure);
        }
    }

    /** Entry point. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new AlertLatencyBenchmark()).execute(args));
    }
}
