package io.vigil.bench.pipeline;

import io.vigil.bench.measure.CpuSnapshot.CpuReport;
import io.vigil.bench.measure.CpuSnapshot.ProcessCpu;
import io.vigil.bench.measure.JfrProfile;
import io.vigil.bench.measure.Percentiles;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;

/**
 * The results of a pipeline benchmark run as markdown: the side-by-side table (Vigil with both of
 * its jobs, metrics-rollup and alerting, against Prometheus), the CPU of every process with its
 * busiest threads, and the JFR profiles. The same text goes to the console and to the results file.
 */
public final class PipelineReport {
    private static final String NONE = "—";

    private final String command;
    private final String machine;
    private final BenchSettings settings;
    private final Optional<VigilFigures> vigil;
    private final String vigilFailure;
    private final Optional<PrometheusFigures> prometheus;
    private final String prometheusFailure;

    /**
     * @param command the command line that produced the run
     * @param machine CPUs, memory, Java, and the load before the run
     * @param settings the workload
     * @param vigil the Vigil side's figures, if it ran and finished
     * @param vigilFailure why the Vigil side has no figures (empty if it has)
     * @param prometheus the Prometheus side's figures, if it ran and finished
     * @param prometheusFailure why the Prometheus side has no figures (empty if it has)
     */
    public PipelineReport(
            String command,
            String machine,
            BenchSettings settings,
            Optional<VigilFigures> vigil,
            String vigilFailure,
            Optional<PrometheusFigures> prometheus,
            String prometheusFailure) {
        this.command = command;
        this.machine = machine;
        this.settings = settings;
        this.vigil = vigil;
        this.vigilFailure = vigilFailure;
        this.prometheus = prometheus;
        this.prometheusFailure = prometheusFailure;
    }

    /** The whole report, markdown. */
    public String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("## Pipeline benchmark: Vigil and Prometheus on the same fleet (")
                .append(
                        ZonedDateTime.now(ZoneId.of("UTC"))
                                .truncatedTo(ChronoUnit.MINUTES)
                                .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")))
                .append(")\n\n```sh\n")
                .append(command)
                .append("\n```\n\n")
                .append("Machine: ")
                .append(machine)
                .append("\n\nWorkload: ")
                .append(
                        String.format(
                                "%s hosts x %d series, every series once per %d ms = %s"
                                        + " samples/s, the same series and values for both"
                                        + " systems, run one after the other.",
                                count(settings.hosts()),
                                settings.seriesPerHost(),
                                settings.step().toMillis(),
                                count(settings.effectiveRate())))
                .append(
                        " Vigil runs as `vigil up` does: the default rules applied, and both"
                                + " jobs, metrics-rollup and alerting, at parallelism 1, each in"
                                + " its own slot of the one TaskManager, whose CPU is therefore"
                                + " both jobs'.")
                .append("\n\n");
        sideBySide(out);
        processes(out);
        profiles(out);
        notes(out);
        return out.toString();
    }

    private void sideBySide(StringBuilder out) {
        List<String[]> rows = new ArrayList<>();
        rows.add(
                row(
                        "measured period",
                        vigil.map(v -> period(v.period())),
                        prometheus.map(p -> period(p.period()))));
        rows.add(
                row(
                        "samples/s offered",
                        vigil.map(v -> count(v.requestedRate())),
                        prometheus.map(p -> count(p.requestedRate()))));
        rows.add(
                row(
                        "samples/s ingested",
                        vigil.map(v -> count(v.ackedRate()) + " acknowledged by Kafka"),
                        prometheus.map(
                                p ->
                                        String.format(
                                                "%s appended to the TSDB (+ %s/s of its own"
                                                        + " per-target series)",
                                                count(p.fleetAppendedRate()),
                                                count(
                                                        (p.appended() - p.fleetAppended())
                                                                / p.period().seconds())))));
        rows.add(
                row(
                        "samples/s processed",
                        vigil.map(
                                v ->
                                        String.format(
                                                "%s consumed by metrics-rollup, %s taken by"
                                                        + " alerting (acknowledged minus its lag's"
                                                        + " growth)",
                                                count(v.consumedRate()), count(v.alertingRate()))),
                        prometheus.map(
                                p ->
                                        String.format(
                                                "%d of %d targets up; scrape p50 %s, p99 %s",
                                                p.targetsUp(),
                                                p.targets(),
                                                millis(p.scrapeDurationP50() * 1000),
                                                millis(p.scrapeDurationP99() * 1000)))));
        rows.add(
                row(
                        "live consumer lag, metrics-rollup, start / end / max",
                        vigil.map(v -> liveLag(v.rollupLag())),
                        Optional.of(NONE)));
        rows.add(
                row(
                        "live consumer lag, alerting, start / end / max",
                        vigil.map(v -> liveLag(v.alertingLag())),
                        Optional.of(NONE)));
        rows.add(
                row(
                        "committed-offset lag, metrics-rollup, start / end / max",
                        vigil.map(v -> committedLag(v.rollupLag())),
                        Optional.of(NONE)));
        rows.add(
                row(
                        "committed-offset lag, alerting, start / end / max",
                        vigil.map(v -> committedLag(v.alertingLag())),
                        Optional.of(NONE)));
        rows.add(
                row(
                        "watermark behind wall clock, start / end / max",
                        vigil.map(
                                v ->
                                        String.format(
                                                "%.0f / %.0f / %.0f s",
                                                v.watermarkDelaySeconds().start(),
                                                v.watermarkDelaySeconds().end(),
                                                v.watermarkDelaySeconds().max())),
                        Optional.of(NONE)));
        rows.add(
                row(
                        "sustained (bounded lag)",
                        vigil.map(
                                v ->
                                        String.format(
                                                "%s (metrics-rollup %s, alerting %s)",
                                                v.sustained() ? "**yes**" : "**no**",
                                                keptUp(v.rollupLag(), v.requestedRate()),
                                                keptUp(v.alertingLag(), v.requestedRate()))),
                        prometheus.map(
                                p ->
                                        p.fleetAppendedRate() >= 0.97 * p.requestedRate()
                                                ? "**yes**"
                                                : "**no**")));
        rows.add(
                row(
                        "CPU s per million samples, the system",
                        vigil.map(
                                v ->
                                        bold(
                                                        String.format(
                                                                "%.2f",
                                                                v.cpuPerMillion(
                                                                        VigilFigures.PIPELINE)))
                                                + " (Kafka, Cassandra, Flink JM + TM; the TM runs"
                                                + " metrics-rollup and alerting; each per sample"
                                                + " it handled)"),
                        prometheus.map(
                                p ->
                                        bold(
                                                        perMillion(
                                                                p.cpu()
                                                                        .secondsOf(
                                                                                List.of(
                                                                                        PrometheusFigures
                                                                                                .PROMETHEUS)),
                                                                p.fleetAppended()))
                                                + " (prometheus)")));
        rows.add(
                row(
                        "… the same without JIT compilation (C1/C2 compiler threads, a JVM's"
                                + " warm-up)",
                        vigil.map(
                                v ->
                                        String.format(
                                                "%.2f",
                                                v.cpuPerMillionWithoutJit(VigilFigures.PIPELINE))),
                        prometheus.map(
                                p ->
                                        perMillion(
                                                p.cpu()
                                                        .process(PrometheusFigures.PROMETHEUS)
                                                        .map(c -> c.cpuSeconds() - c.jitSeconds())
                                                        .orElse(Double.NaN),
                                                p.fleetAppended()))));
        rows.add(
                row(
                        "CPU s per million samples, the load's source",
                        vigil.map(
                                v ->
                                        String.format(
                                                "%.2f (generator: Avro encoding, Kafka"
                                                        + " producer)",
                                                v.cpuPerMillion(List.of(VigilFigures.GENERATOR)))),
                        prometheus.map(
                                p ->
                                        perMillion(
                                                        p.cpu()
                                                                .secondsOf(
                                                                        List.of(
                                                                                PrometheusFigures
                                                                                        .EXPOSITION)),
                                                        p.fleetAppended())
                                                + " (exposition server: text rendering, HTTP)")));
        rows.add(
                row(
                        "CPU s per million samples, everything",
                        vigil.map(
                                v ->
                                        String.format(
                                                "%.2f",
                                                v.cpuPerMillion(
                                                        v.cpu().processes().stream()
                                                                .map(ProcessCpu::name)
                                                                .toList()))),
                        prometheus.map(
                                p -> perMillion(p.cpu().totalSeconds(), p.fleetAppended()))));
        rows.add(
                row(
                        "cores busy on average, the system",
                        vigil.map(
                                v ->
                                        String.format(
                                                "%.2f of %d",
                                                v.cpu().secondsOf(VigilFigures.PIPELINE)
                                                        / v.cpu().seconds(),
                                                Runtime.getRuntime().availableProcessors())),
                        prometheus.map(
                                p ->
                                        String.format(
                                                "%.2f of %d",
                                                p.cpu()
                                                                .secondsOf(
                                                                        List.of(
                                                                                PrometheusFigures
                                                                                        .PROMETHEUS))
                                                        / p.cpu().seconds(),
                                                Runtime.getRuntime().availableProcessors()))));
        rows.add(
                row(
                        "bytes per sample on the wire",
                        vigil.map(
                                v ->
                                        String.format(
                                                "%s encoded value (+ 8 B key per record of %.0f"
                                                        + " samples, one host's batch); %s on the"
                                                        + " network (lz4 batches, protocol"
                                                        + " included)",
                                                bytes(v.valueBytes(), v.acknowledged()),
                                                v.samplesPerRecord(),
                                                bytes(v.networkBytes(), v.acknowledged()))),
                        prometheus.map(
                                p ->
                                        bytes(p.servedBytes(), p.served())
                                                + " of exposition text (uncompressed)")));
        rows.add(
                row(
                        "bytes per sample on disk",
                        vigil.map(
                                v ->
                                        bytes(v.kafkaLogBytes(), v.acknowledged())
                                                + " Kafka log (raw samples, replication 1)"),
                        prometheus.map(
                                p ->
                                        String.format(
                                                "%s WAL + %s head chunks (in-memory head; no"
                                                        + " block compacted yet)",
                                                bytes(p.walBytes(), p.appended()),
                                                bytes(p.headChunkBytes(), p.appended())))));
        rows.add(
                row(
                        "bytes per raw sample stored (samples_raw, whole run)",
                        vigil.map(
                                v ->
                                        String.format(
                                                "%.2f B encoded (Gorilla chunks), %s on disk"
                                                        + " (%s samples in %s chunks)",
                                                v.raw().encodedBytesPerSample(),
                                                v.raw().flushed()
                                                        ? String.format(
                                                                "%.2f B",
                                                                v.raw().diskBytesPerSample())
                                                        : "not measured",
                                                count(v.raw().samples()),
                                                count(v.raw().rows()))),
                        prometheus.map(
                                p ->
                                        String.format(
                                                "%s head chunks",
                                                bytes(p.headChunkBytes(), p.appended())))));
        rows.add(
                row(
                        "Cassandra per stored rollup row",
                        vigil.map(
                                v ->
                                        String.format(
                                                "%s per row (%s rows; %s per raw sample)%s",
                                                bytes(
                                                        v.cassandra().dataDirBytes(),
                                                        v.rowsWritten()),
                                                count(v.rowsWritten()),
                                                bytes(
                                                        v.cassandra().dataDirBytes(),
                                                        v.acknowledged()),
                                                v.cassandra().flushed()
                                                        ? ", memtables flushed"
                                                        : ", NOT flushed")),
                        Optional.of(NONE)));
        rows.add(
                row(
                        "latency, last sample of a window acked by Kafka -> its rollup row"
                                + " readable in Cassandra, p50 / p99 / max",
                        vigil.map(this::latency),
                        Optional.of("not measured (a scraped sample is queryable at once)")));
        rows.add(
                row(
                        "resident memory at the end",
                        vigil.map(
                                v ->
                                        mib(
                                                        v.cpu().processes().stream()
                                                                .filter(
                                                                        p ->
                                                                                VigilFigures
                                                                                        .PIPELINE
                                                                                        .contains(
                                                                                                p
                                                                                                        .name()))
                                                                .mapToLong(ProcessCpu::rssBytes)
                                                                .sum())
                                                + " (4 JVMs)"),
                        prometheus.map(
                                p ->
                                        p.cpu()
                                                .process(PrometheusFigures.PROMETHEUS)
                                                .map(c -> mib(c.rssBytes()))
                                                .orElse(NONE))));
        rows.add(
                row(
                        "CPU of other processes on the machine meanwhile",
                        vigil.map(v -> other(v.cpu())),
                        prometheus.map(p -> other(p.cpu()))));
        table(
                out,
                new String[] {
                    "",
                    "Vigil (Kafka -> Flink metrics-rollup + alerting -> Cassandra)",
                    "Prometheus"
                },
                rows);
        if (!vigilFailure.isEmpty()) {
            out.append("\nVigil side failed: ").append(vigilFailure).append('\n');
        }
        if (!prometheusFailure.isEmpty()) {
            out.append("\nPrometheus side failed: ").append(prometheusFailure).append('\n');
        }
    }

    /** A job's live lag, or why it is missing; {@code max} counts only the readings that had it. */
    private static String liveLag(VigilFigures.GroupLag lag) {
        if (Double.isNaN(lag.live().max())) {
            return "not readable (the source's pendingRecords)";
        }
        return String.format(
                "%s / %s / %s samples (growth %s/s)",
                count(lag.live().start()),
                count(lag.live().end()),
                count(lag.live().max()),
                count(lag.liveSlopePerSecond()));
    }

    private static String committedLag(VigilFigures.GroupLag lag) {
        return String.format(
                "%s / %s / %s samples (group %s)",
                count(lag.committed().start()),
                count(lag.committed().end()),
                count(lag.committed().max()),
                lag.group());
    }

    /** Whether one job kept up, and by which lag that was judged. */
    private static String keptUp(VigilFigures.GroupLag lag, double rate) {
        return String.format(
                "%s by its %s lag",
                lag.keptUp(rate) ? "yes" : "no", lag.liveRead() ? "live" : "committed-offset");
    }

    private String latency(VigilFigures v) {
        Percentiles p = v.latencyPercentiles();
        if (p.count() == 0) {
            return String.format(
                    "no row readable within 4 min (%d windows followed)", v.latency().windows());
        }
        return String.format(
                "%s / %s / %s (%d rows: %d series x %d windows; %d rows never readable); from a"
                        + " window's first sample add %d s",
                seconds(p.at(50)),
                seconds(p.at(99)),
                seconds(p.max()),
                p.count(),
                v.latency().seriesFollowed(),
                v.latency().windows(),
                v.latency().missingRows(),
                VigilPipelineRun.WINDOW.toSeconds() - settings.step().toSeconds());
    }

    private void processes(StringBuilder out) {
        out.append(
                "\nCPU by process over the measured period, with the busiest threads (Vigil's"
                        + " TaskManager runs both jobs, metrics-rollup and alerting):\n\n");
        List<String[]> rows = new ArrayList<>();
        vigil.ifPresent(v -> processRows(rows, "Vigil", v.cpu(), v::samplesHandledBy));
        prometheus.ifPresent(
                p -> processRows(rows, "Prometheus", p.cpu(), process -> p.fleetAppended()));
        table(
                out,
                new String[] {
                    "side",
                    "process",
                    "CPU s",
                    "CPU s / M samples",
                    "cores",
                    "RSS",
                    "busiest threads"
                },
                rows);
    }

    private static void processRows(
            List<String[]> rows, String side, CpuReport cpu, ToLongFunction<String> samples) {
        for (ProcessCpu process : cpu.processes()) {
            rows.add(
                    new String[] {
                        side,
                        process.name(),
                        String.format("%.1f", process.cpuSeconds()),
                        perMillion(process.cpuSeconds(), samples.applyAsLong(process.name())),
                        String.format("%.2f", process.cpuSeconds() / cpu.seconds()),
                        mib(process.rssBytes()),
                        busiestThreads(process, 6)
                    });
        }
    }

    /** The busiest threads of a process with their CPU seconds ("|" would break the table). */
    private static String busiestThreads(ProcessCpu process, int limit) {
        return process.threads().stream()
                .limit(limit)
                .map(t -> String.format("%s %.1f", t.name().replace("|", "/"), t.cpuSeconds()))
                .collect(Collectors.joining(", "));
    }

    private void profiles(StringBuilder out) {
        if (vigil.isEmpty() || vigil.get().profiles().isEmpty()) {
            return;
        }
        out.append(
                "\nJFR profiles recorded after the measured period, load unchanged (share of Java"
                        + " execution samples):\n");
        appendProfiles(out, vigil.get().profiles());
    }

    /** One block per profiled process: top methods, libraries, threads, native methods. */
    public static void appendProfiles(StringBuilder out, Map<String, JfrProfile.Summary> profiles) {
        profiles.forEach(
                (process, summary) -> {
                    out.append("\n**")
                            .append(process)
                            .append("** (")
                            .append(summary.javaSamples())
                            .append(" Java samples, ")
                            .append(summary.nativeSamples())
                            .append(" samples computing in native code)\n\n");
                    out.append("- top methods: ")
                            .append(shares(summary.topMethods(), 10))
                            .append('\n');
                    out.append("- libraries on the stack: ")
                            .append(shares(summary.libraries(), 10))
                            .append('\n');
                    out.append("- threads: ").append(shares(summary.threads(), 6)).append('\n');
                    if (!summary.nativeMethods().isEmpty()) {
                        out.append("- native (share of native samples): ")
                                .append(shares(summary.nativeMethods(), 6))
                                .append('\n');
                    }
                });
    }

    private void notes(StringBuilder out) {
        List<String> notes = new ArrayList<>();
        vigil.ifPresent(v -> notes.addAll(v.notes()));
        vigil.filter(v -> !v.cassandra().note().isEmpty())
                .ifPresent(v -> notes.add(v.cassandra().note()));
        vigil.filter(v -> !v.raw().note().isEmpty()).ifPresent(v -> notes.add(v.raw().note()));
        vigil.filter(v -> !v.rollupState().equals("RUNNING"))
                .ifPresent(v -> notes.add("metrics-rollup was " + v.rollupState() + " at the end"));
        vigil.filter(v -> !v.alertingState().equals("RUNNING"))
                .ifPresent(v -> notes.add("alerting was " + v.alertingState() + " at the end"));
        prometheus.ifPresent(p -> notes.addAll(p.notes()));
        if (notes.isEmpty()) {
            return;
        }
        out.append("\nNotes:\n\n");
        notes.forEach(note -> out.append("- ").append(note).append('\n'));
    }

    private static String shares(List<JfrProfile.Share> shares, int limit) {
        return shares.stream()
                .limit(limit)
                .map(s -> String.format("`%s` %.0f %%", s.what(), s.percent()))
                .collect(Collectors.joining(", "));
    }

    /** A markdown table. */
    public static void table(StringBuilder out, String[] header, List<String[]> rows) {
        out.append("| ").append(String.join(" | ", header)).append(" |\n|");
        for (int i = 0; i < header.length; i++) {
            out.append("---|");
        }
        out.append('\n');
        for (String[] row : rows) {
            out.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
    }

    private static String[] row(String what, Optional<String> vigil, Optional<String> prometheus) {
        return new String[] {what, vigil.orElse(NONE), prometheus.orElse(NONE)};
    }

    private static String period(MeasuredPeriod period) {
        return String.format(
                "%s-%s (%.0f s)",
                LocalTime.ofInstant(period.start(), ZoneId.systemDefault()),
                LocalTime.ofInstant(period.end(), ZoneId.systemDefault()),
                period.seconds());
    }

    private static String other(CpuReport cpu) {
        return String.format(
                "%.0f CPU s (%.0f %% of the machine)",
                cpu.otherSeconds(),
                100
                        * cpu.otherSeconds()
                        / (cpu.seconds() * Runtime.getRuntime().availableProcessors()));
    }

    private static String perMillion(double cpuSeconds, long samples) {
        return samples <= 0 ? NONE : String.format("%.2f", cpuSeconds / (samples / 1e6));
    }

    private static String bold(String text) {
        return "**" + text + "**";
    }

    private static String bytes(long bytes, long samples) {
        return samples <= 0 ? NONE : String.format(Locale.ROOT, "%.1f B", (double) bytes / samples);
    }

    private static String mib(long bytes) {
        return String.format("%,d MiB", bytes / (1024 * 1024)).replace(',', ' ');
    }

    private static String millis(double millis) {
        return Double.isNaN(millis) ? NONE : String.format(Locale.ROOT, "%.0f ms", millis);
    }

    private static String seconds(OptionalDouble millis) {
        return millis.isEmpty()
                ? NONE
                : String.format(Locale.ROOT, "%.1f s", millis.getAsDouble() / 1000);
    }

    /** A count with spaces between thousands, as the rest of RESULTS.md writes them. */
    public static String count(double value) {
        if (Double.isNaN(value)) {
            return NONE;
        }
        return String.format(Locale.ROOT, "%,d", Math.round(value)).replace(',', ' ');
    }
}
