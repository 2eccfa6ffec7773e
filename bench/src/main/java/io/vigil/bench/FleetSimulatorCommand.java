package io.vigil.bench;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Command line of the fleet simulator: sends a fleet's samples to Kafka in real time, one batch per
 * host and step.
 */
@Command(
        name = "fleet-simulator",
        mixinStandardHelpOptions = true,
        description =
                "Sends the samples of a simulated fleet to vigil.metrics.samples, one batch per"
                        + " host and step.")
public final class FleetSimulatorCommand implements Callable<Integer> {
    @Option(names = "--bootstrap-servers", required = true, description = "Kafka brokers.")
    String bootstrapServers;

    @Option(
            names = "--hosts",
            defaultValue = "100",
            description = "Hosts (default ${DEFAULT-VALUE}).")
    int hosts;

    @Option(
            names = "--series-per-host",
            defaultValue = "10",
            description = "Series per host (default ${DEFAULT-VALUE}).")
    int seriesPerHost;

    @Option(
            names = "--rate",
            defaultValue = "1000",
            description = "Samples per second in total (default ${DEFAULT-VALUE}).")
    double rate;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description = "Seed of the values (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--duration",
            defaultValue = "PT1H",
            description = "How long to send, ISO-8601 (default ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(
            names = "--incident",
            description =
                    "Trouble to inject, kind:host:after:lasting, repeatable: cpu-high (the host's"
                            + " CPU ratio at 0.97) or host-down (its batches stop), e.g."
                            + " cpu-high:host-000003:PT1M:PT10M.")
    List<String> incidents = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        List<Incident> injected = incidents.stream().map(Incident::parse).toList();
        Fleet fleet = new Fleet(hosts, seriesPerHost);
        Duration step = FleetSimulator.stepFor(fleet, rate);
        Workload workload = new Workload(fleet, step, seed, 0, Duration.ZERO);
        try (SampleWriter writer = new SampleWriter(bootstrapServers)) {
            FleetSimulator simulator =
                    new FleetSimulator(workload, step, writer, Clock.systemUTC())
                            .withIncidents(injected);
            System.out.printf(
                    "fleet: %d hosts x %d series, one batch per host every %d ms (%.0f"
                            + " samples/s)%n",
                    hosts,
                    seriesPerHost,
                    step.toMillis(),
                    fleet.series().size() * 1000.0 / step.toMillis());
            ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor();
            long started = System.nanoTime();
            reporter.scheduleAtFixedRate(() -> report(writer, started), 5, 5, TimeUnit.SECONDS);
            try {
                simulator.run(duration, () -> false);
            } finally {
                reporter.shutdownNow();
            }
            report(writer, started);
        }
        return 0;
    }

    private static void report(SampleWriter writer, long startedNanos) {
        double seconds = (System.nanoTime() - startedNanos) / 1e9;
        long samples = writer.acknowledgedSamples();
        System.out.printf(
                "acknowledged %,d samples (%.0f/s) in %,d batches, %.1f bytes per sample"
                        + " encoded%n",
                samples,
                samples / seconds,
                writer.acknowledgedRecords(),
                samples == 0 ? 0.0 : (double) writer.valueBytes() / samples);
    }

    /** Entry point. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new FleetSimulatorCommand()).execute(args));
    }
}
