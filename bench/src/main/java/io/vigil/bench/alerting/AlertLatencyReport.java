package io.vigil.bench.alerting;

import io.vigil.bench.Incident;
import io.vigil.bench.pipeline.PipelineReport;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The alert-latency benchmark's results as markdown: the command, the machine, the workload, then
 * both systems side by side, stage by stage, with every incident that did not count said so.
 */
public final class AlertLatencyReport {
    /**
     * The target: p99 from the incident's value observed at the source (t0) to the alert on the
     * topic, and to the webhook.
     */
    static final Duration TARGET_P99 = Duration.ofSeconds(1);

    private static final String NONE = "—";
    private static final String[] STAGE_ROWS = {
        "t0 -> alert decided", "t0 -> alert where its consumer reads it", "t0 -> webhook received"
    };

    private final String commandLine;
    private final String machine;
    private final AlertLatencySettings settings;
    private final List<Side> sides;

    /**
     * One column of the report: a result or why there is none.
     *
     * @param system the column's heading
     * @param result the figures, if the side ran
     * @param failure why it did not (empty if it did, or was not asked for)
     */
    public record Side(String system, Optional<SideResult> result, String failure) {}

    public AlertLatencyReport(
            String commandLine, String machine, AlertLatencySettings settings, List<Side> sides) {
        this.commandLine = commandLine;
        this.machine = machine;
        this.settings = settings;
        this.sides = List.copyOf(sides);
    }

    public String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("### Run: alert latency, ")
                .append(String.join(" and ", sides.stream().map(Side::system).toList()))
                .append(" on the same incidents (")
                .append(
                        ZonedDateTime.now(ZoneOffset.UTC)
                                .truncatedTo(ChronoUnit.MINUTES)
                                .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")))
                .append(" UTC)\n\n```sh\n")
                .append(commandLine)
                .append("\n```\n\nMachine: ")
                .append(machine)
                .append("\n\nWorkload: ")
                .append(
                        String.format(
                                "%s hosts x %d series, every series once per %d ms = %s"
                                        + " samples/s of background load; %d incidents, each a"
                                        + " host of its own reporting `%s` = %s for %d s, one"
                                        + " every %d s after %d s of background alone; rule `%s`"
                                        + " above %s with `for: 0`.%s",
                                PipelineReport.count(settings.hosts()),
                                settings.seriesPerHost(),
                                settings.step().toMillis(),
                                PipelineReport.count(settings.effectiveRate()),
                                settings.incidents(),
                                Incident.CPU_METRIC,
                                Incident.HIGH_CPU,
                                settings.lasting().toSeconds(),
                                settings.spacing().toSeconds(),
                                settings.warmUp().toSeconds(),
                                AlertLatencySettings.ALERTNAME,
                                AlertLatencySettings.THRESHOLD,
                                sides.size() > 1
                                        ? " The two systems run one after the other."
                                        : ""))
                .append("\n\n");

        List<String> header = new ArrayList<>(List.of(""));
        sides.forEach(side -> header.add(side.system()));
        List<String[]> rows = new ArrayList<>();
        rows.add(row("t0", r -> r.t0()));
        for (int i = 0; i < STAGE_ROWS.length; i++) {
            int stage = i;
            rows.add(row("**" + STAGE_ROWS[i] + "**", r -> r.stageNames().get(stage)));
            rows.add(
                    row(
                            "… p50 / p90 / p99 / max",
                            r ->
                                    "**"
                                            + new LatencySummary(
                                                            r.stages().get(stage).latenciesMillis())
                                                    .percentilesText()
                                            + "**"));
            rows.add(row("… incidents measured", r -> counted(r.stages().get(stage))));
        }
        rows.add(
                row(
                        "target: p99 ≤ 1 s from t0 to the alert on the topic, and to the webhook",
                        r ->
                                r.system().equals("Vigil")
                                        ? "topic "
                                                + target(r.stages().get(0))
                                                + ", webhook "
                                                + target(r.stages().get(2))
                                        : "(not Vigil's target; for comparison)"));
        Set<String> facts = new LinkedHashSet<>();
        sides.forEach(side -> side.result().ifPresent(r -> facts.addAll(r.facts().keySet())));
        for (String fact : facts) {
            rows.add(row(fact, r -> r.facts().getOrDefault(fact, NONE)));
        }
        PipelineReport.table(out, header.toArray(String[]::new), rows);

        List<String> notes = new ArrayList<>();
        for (Side side : sides) {
            if (!side.failure().isEmpty()) {
                notes.add(side.system() + " failed: " + side.failure());
            }
            side.result().ifPresent(r -> r.notes().forEach(n -> notes.add(r.system() + ": " + n)));
        }
        if (!notes.isEmpty()) {
            out.append("\nNotes:\n\n");
            notes.forEach(note -> out.append("- ").append(note).append('\n'));
        }
        for (Side side : sides) {
            side.result()
                    .filter(r -> !r.profiles().isEmpty())
                    .ifPresent(
                            r -> {
                                out.append("\nJFR profile (")
                                        .append(r.system())
                                        .append(
                                                ", after the incidents, background load unchanged;"
                                                        + " share of Java execution samples):\n");
                                PipelineReport.appendProfiles(out, r.profiles());
                            });
        }
        return out.toString();
    }

    private String[] row(String what, Function<SideResult, String> cell) {
        List<String> cells = new ArrayList<>(List.of(what));
        for (Side side : sides) {
            cells.add(
                    side.result()
                            .map(cell)
                            .orElse(side.failure().isEmpty() ? "not run" : "failed")
                            .replace("|", "/"));
        }
        return cells.toArray(String[]::new);
    }

    /** "98 of 100 (2 missing, 0 duplicates, 0 unexpected)". */
    static String counted(IncidentLatencies.Stage stage) {
        String text =
                String.format(
                        "%d of %d (%d missing, %d duplicates, %d unexpected)",
                        stage.latenciesMillis().size(),
                        stage.incidents(),
                        stage.missing(),
                        stage.duplicates(),
                        stage.unexpected());
        return stage.clean() ? text : "**" + text + "**";
    }

    /** Met only if every incident was measured and the p99 is at most 1 s. */
    static String target(IncidentLatencies.Stage stage) {
        LatencySummary summary = new LatencySummary(stage.latenciesMillis());
        if (!stage.clean()) {
            return "**not met**: not every incident gave exactly one alert";
        }
        return summary.p99AtMost(TARGET_P99.toMillis()) ? "**met**" : "**not met**";
    }
}
