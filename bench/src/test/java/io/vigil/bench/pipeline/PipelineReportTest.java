package io.vigil.bench.pipeline;

import static io.vigil.bench.pipeline.Figures.bounded;
import static io.vigil.bench.pipeline.Figures.committedOnly;
import static io.vigil.bench.pipeline.Figures.growing;
import static io.vigil.bench.pipeline.Figures.vigil;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PipelineReportTest {
    private static final String ROLLUP = VigilPipelineRun.GROUP_ID;
    private static final String ALERTING = VigilPipelineRun.ALERTING_GROUP_ID;

    /** The default workload: 10 000 hosts x 10 series at 100 000 samples/s. */
    private static final BenchSettings SETTINGS =
            new BenchSettings(
                    10_000,
                    10,
                    100_000,
                    Duration.ofSeconds(60),
                    Duration.ofSeconds(180),
                    Duration.ZERO,
                    100,
                    200);

    @Test
    void showsBothJobsLagsSideBySideWithTheirVerdicts() {
        String markdown = report(vigil(bounded(ROLLUP), growing(ALERTING)));

        assertThat(markdown)
                .contains(
                        "| live consumer lag, metrics-rollup, start / end / max | 200 000 / 150 000"
                                + " / 400 000 samples (growth 50/s) | — |",
                        "| live consumer lag, alerting, start / end / max | 200 000 / 4 700 000 /"
                                + " 4 700 000 samples (growth 25 000/s) | — |",
                        "| committed-offset lag, metrics-rollup, start / end / max | 1 000 000 /"
                                + " 800 000 / 1 500 000 samples (group vigil-metrics-rollup) | — |",
                        "| committed-offset lag, alerting, start / end / max | 1 000 000 / 5 500"
                                + " 000 / 5 500 000 samples (group vigil-alerting) | — |",
                        "| sustained (bounded lag) | **no** (metrics-rollup yes by its live lag,"
                                + " alerting no by its live lag) | — |",
                        "75 000 taken by alerting");
    }

    @Test
    void saysWhenAJobsLiveLagCouldNotBeRead() {
        String markdown = report(vigil(bounded(ROLLUP), committedOnly(ALERTING, 1_200_000)));

        assertThat(markdown)
                .contains(
                        "| live consumer lag, alerting, start / end / max | not readable",
                        "| sustained (bounded lag) | **yes** (metrics-rollup yes by its live lag,"
                                + " alerting yes by its committed-offset lag) |");
    }

    @Test
    void saysTheTaskManagerRunsBothJobs() {
        String markdown = report(vigil(bounded(ROLLUP), bounded(ALERTING)));

        assertThat(markdown)
                .contains(
                        "both jobs, metrics-rollup and alerting, at parallelism 1, each in its own"
                                + " slot of the one TaskManager",
                        "Vigil (Kafka -> Flink metrics-rollup + alerting -> Cassandra)",
                        "the TM runs metrics-rollup and alerting; each per sample it handled",
                        "Vigil's TaskManager runs both jobs")
                // 72 CPU s of the TaskManager over 18 million samples.
                .contains("| Vigil | flink-taskmanager-1 | 72.0 | 4.00 |");
    }

    @Test
    void keepsEveryOtherRowInItsPlace() {
        String markdown = report(vigil(bounded(ROLLUP), bounded(ALERTING)));

        List<String> labels =
                markdown.lines()
                        .filter(line -> line.startsWith("| "))
                        .map(line -> line.substring(2, line.indexOf(" |", 1)))
                        .toList();
        assertThat(labels)
                .containsSubsequence(
                        "measured period",
                        "samples/s offered",
                        "samples/s ingested",
                        "samples/s processed",
                        "live consumer lag, metrics-rollup, start / end / max",
                        "live consumer lag, alerting, start / end / max",
                        "committed-offset lag, metrics-rollup, start / end / max",
                        "committed-offset lag, alerting, start / end / max",
                        "watermark behind wall clock, start / end / max",
                        "sustained (bounded lag)",
                        "CPU s per million samples, the system",
                        "CPU s per million samples, the load's source",
                        "CPU s per million samples, everything",
                        "cores busy on average, the system",
                        "Cassandra per stored rollup row",
                        "resident memory at the end",
                        "CPU of other processes on the machine meanwhile");
    }

    @Test
    void notesAJobThatIsNotRunningAtTheEnd() {
        VigilFigures running = vigil(bounded(ROLLUP), bounded(ALERTING));
        VigilFigures failed =
                new VigilFigures(
                        running.period(),
                        running.requestedRate(),
                        running.acknowledged(),
                        running.records(),
                        running.consumed(),
                        running.rowsWritten(),
                        running.rollupLag(),
                        running.alertingLag(),
                        running.watermarkDelaySeconds(),
                        running.valueBytes(),
                        running.networkBytes(),
                        running.kafkaLogBytes(),
                        running.cassandra(),
                        running.raw(),
                        running.latency(),
                        running.cpu(),
                        running.profiles(),
                        "RUNNING",
                        "FAILED",
                        running.notes());

        assertThat(report(running)).doesNotContain("at the end\n");
        assertThat(report(failed)).contains("- alerting was FAILED at the end\n");
    }

    private static String report(VigilFigures vigil) {
        return new PipelineReport(
                        "bench/pipeline-benchmark --systems vigil",
                        "2 CPUs",
                        SETTINGS,
                        Optional.of(vigil),
                        "",
                        Optional.empty(),
                        "prometheus not run")
                .markdown();
    }
}
