package io.vigil.jobs.alerting.records;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * The state of one rule on one series: the alert's lifecycle, and what the rule's kind needs to
 * compute its value (a rate's recent samples, an anomaly's baseline, a spike's open window, a crash
 * loop's last value).
 *
 * <p>One class for every kind keeps the state in one map entry per (series, rule) that the
 * evaluator can drop at once; the fields of other kinds stay at their defaults and cost a few
 * bytes. Times are event time (the samples' timestamps), ms since the epoch.
 */
public class RuleState {
    /** No time: a field that is not set. */
    public static final long NONE = Long.MIN_VALUE;

    /** How Flink serialises rule states. */
    public static final TypeInformation<RuleState> TYPE = Types.POJO(RuleState.class, fields());

    private static Map<String, TypeInformation<?>> fields() {
        Map<String, TypeInformation<?>> fields = new HashMap<>();
        fields.put("ruleVersion", Types.LONG);
        fields.put("phase", Types.ENUM(AlertPhase.class));
        fields.put("startsAt", Types.LONG);
        fields.put("sequence", Types.LONG);
        fields.put("clearedSince", Types.LONG);
        fields.put("lastValue", Types.DOUBLE);
        fields.put("breaches", Types.LONG);
        fields.put("evaluations", Types.INT);
        fields.put("rateTimes", Types.PRIMITIVE_ARRAY(Types.LONG));
        fields.put("rateValues", Types.PRIMITIVE_ARRAY(Types.DOUBLE));
        fields.put("rateSince", Types.LONG);
        fields.put("counterOffset", Types.DOUBLE);
        fields.put("lastRaw", Types.DOUBLE);
        fields.put("mean", Types.DOUBLE);
        fields.put("variance", Types.DOUBLE);
        fields.put("baselineSamples", Types.LONG);
        fields.put("windowStart", Types.LONG);
        fields.put("windowSum", Types.DOUBLE);
        fields.put("windowCount", Types.LONG);
        return fields;
    }

    /** The rule version this state was last evaluated with. */
    public long ruleVersion;

    // Lifecycle.
    public AlertPhase phase = AlertPhase.INACTIVE;

    /** Start of the current episode (pending, then firing); the alert's starts_at. */
    public long startsAt = NONE;

    /** Transitions of the current episode so far; the next event's sequence is this plus one. */
    public long sequence;

    /** While firing: since when the condition no longer holds (keep_firing_for), else NONE. */
    public long clearedSince = NONE;

    /** The last value evaluated (the sample, rate or z-score); NaN before the first. */
    public double lastValue = Double.NaN;

    // m of n: one bit per evaluation, the newest in bit 0.
    public long breaches;
    public int evaluations;

    // RATE: the samples within window_ms, counter resets already added back.
    public long[] rateTimes = new long[0];
    public double[] rateValues = new double[0];

    /**
     * RATE: start of the current run of samples, the first one or the first after a gap longer than
     * the window; no rate before the run covers the window. NONE in states written before it
     * existed, which count from their oldest sample.
     */
    public long rateSince = NONE;

    public double counterOffset;

    /** RATE and CRASH_LOOP: the previous raw sample value; NaN before the first. */
    public double lastRaw = Double.NaN;

    // ANOMALY and SPIKE: the exponentially weighted baseline.
    public double mean;
    public double variance;
    public long baselineSamples;

    // SPIKE: the open window of event time.
    public long windowStart = NONE;
    public double windowSum;
    public long windowCount;

    public RuleState() {}

    public RuleState(long ruleVersion) {
        this.ruleVersion = ruleVersion;
    }

    /** Whether an alert (pending or firing) is active. */
    public boolean isActive() {
        return phase != AlertPhase.INACTIVE;
    }
}
