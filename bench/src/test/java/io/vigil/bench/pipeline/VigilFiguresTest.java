package io.vigil.bench.pipeline;

import static io.vigil.bench.pipeline.Figures.RATE;
import static io.vigil.bench.pipeline.Figures.SAMPLES;
import static io.vigil.bench.pipeline.Figures.TASK_MANAGER_SECONDS;
import static io.vigil.bench.pipeline.Figures.bounded;
import static io.vigil.bench.pipeline.Figures.committedOnly;
import static io.vigil.bench.pipeline.Figures.growing;
import static io.vigil.bench.pipeline.Figures.vigil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class VigilFiguresTest {
    private static final String ROLLUP = VigilPipelineRun.GROUP_ID;
    private static final String ALERTING = VigilPipelineRun.ALERTING_GROUP_ID;

    @Test
    void isSustainedWhenBothJobsKeepUp() {
        assertThat(vigil(bounded(ROLLUP), bounded(ALERTING)).sustained()).isTrue();
    }

    @Test
    void isNotSustainedWhenTheAlertingGroupsLagGrowsWhileTheRollupsIsBounded() {
        VigilFigures figures = vigil(bounded(ROLLUP), growing(ALERTING));

        assertThat(figures.rollupLag().keptUp(RATE)).isTrue();
        assertThat(figures.alertingLag().keptUp(RATE)).isFalse();
        assertThat(figures.sustained()).isFalse();
    }

    @Test
    void isNotSustainedWhenTheRollupsLagGrowsWhileTheAlertingsIsBounded() {
        assertThat(vigil(growing(ROLLUP), bounded(ALERTING)).sustained()).isFalse();
    }

    @Test
    void judgesAGroupByItsCommittedLagWhenItsLiveLagWasNotRead() {
        // Thirty seconds of samples is the bound: a checkpoint interval and its completion on top
        // of the live lag's ten seconds.
        VigilFigures caughtUp = vigil(bounded(ROLLUP), committedOnly(ALERTING, 1_200_000));
        VigilFigures farBehind = vigil(bounded(ROLLUP), committedOnly(ALERTING, 9_000_000));

        assertThat(caughtUp.alertingLag().liveRead()).isFalse();
        assertThat(caughtUp.sustained()).isTrue();
        assertThat(farBehind.sustained()).isFalse();
    }

    @Test
    void isNotSustainedWhenAGroupsLagWasNeverRead() {
        VigilFigures figures =
                vigil(
                        bounded(ROLLUP),
                        new VigilFigures.GroupLag(
                                ALERTING, Figures.NOT_READ, Figures.NOT_READ, Double.NaN));

        assertThat(figures.sustained()).isFalse();
    }

    @Test
    void dividesTheTaskManagersCpuBySamplesNotRecords() {
        VigilFigures figures = vigil(bounded(ROLLUP), bounded(ALERTING));

        assertThat(figures.samplesPerRecord()).isEqualTo(Figures.SAMPLES_PER_RECORD);
        assertThat(figures.samplesHandledBy("flink-taskmanager-1")).isEqualTo(SAMPLES);
        // 72 CPU s over 18 million samples, whichever of the two jobs spent them.
        assertThat(figures.cpuPerMillion(List.of("flink-taskmanager-1")))
                .isCloseTo(TASK_MANAGER_SECONDS / (SAMPLES / 1e6), within(1e-9))
                .isCloseTo(4.0, within(1e-9));
    }

    @Test
    void takesTheAlertingRateAsAcknowledgedMinusItsLagsGrowth() {
        // The live lag grew from 200 000 to 4 700 000 samples over the 180 s.
        VigilFigures figures = vigil(bounded(ROLLUP), growing(ALERTING));

        assertThat(figures.alertingRate())
                .isCloseTo((SAMPLES - 4_500_000) / 180.0, within(1e-6))
                .isCloseTo(75_000, within(1e-6));
    }
}
