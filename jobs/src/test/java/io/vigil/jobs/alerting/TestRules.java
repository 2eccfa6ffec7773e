package io.vigil.jobs.alerting;

import io.vigil.schemas.Comparator;
import io.vigil.schemas.Rule;
import io.vigil.schemas.RuleKind;
import java.util.Map;

/** Rules for tests: a CPU threshold rule to start from, changed through the Avro builder. */
public final class TestRules {
    /** Event time of the test fixtures: 2026-11-25T10:00:00Z. */
    public static final long T0 = 1_795_600_800_000L;

    private TestRules() {}

    /** {@code cpu > 90} on every host, version 1, firing at once. */
    public static Rule.Builder cpuAbove90() {
        return Rule.newBuilder()
                .setId("cpu-high")
                .setVersion(1)
                .setName("CpuHigh")
                .setKind(RuleKind.THRESHOLD)
                .setMetric("cpu")
                .setComparator(Comparator.GT)
                .setThreshold(90)
                .setLabels(Map.of("team", "infra"))
                .setAnnotations(Map.of("summary", "CPU of {{ $labels.host }} at {{ $value }}%"))
                .setUpdatedAt(T0);
    }
}
