package io.vigil.bench.alerting;

import io.vigil.bench.measure.JfrProfile;
import java.util.List;
import java.util.Map;

/**
 * What one system's run measured.
 *
 * @param system e.g. "Vigil" or "Prometheus + Alertmanager"
 * @param t0 what {@code t0} is on this side
 * @param stages the latencies from t0, in the report's three rows: the alert decided, the alert
 *     where its consumer reads it, the webhook received
 * @param stageNames what each of the three stages is on this side
 * @param facts further rows of the report (label to value), in order
 * @param notes anything that went wrong or needs saying
 * @param profiles JFR profiles by process, if any were recorded
 */
public record SideResult(
        String system,
        String t0,
        List<IncidentLatencies.Stage> stages,
        List<String> stageNames,
        Map<String, String> facts,
        List<String> notes,
        Map<String, JfrProfile.Summary> profiles) {

    /** Every incident reached every stage once and nothing else did. */
    public boolean clean() {
        return stages.stream().allMatch(IncidentLatencies.Stage::clean);
    }
}
