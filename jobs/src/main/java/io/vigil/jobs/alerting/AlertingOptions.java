package io.vigil.jobs.alerting;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;

/** Options of the alerting job. */
public final class AlertingOptions {
    public static final ConfigOption<String> GROUP_ID =
            key("vigil.alerting.group-id")
                    .stringType()
                    .defaultValue("vigil-alerting")
                    .withDescription(
                            "Kafka consumer group of the samples; its committed offsets show the"
                                    + " lag. The rules are read by the group <group-id>-rules.");

    public static final ConfigOption<Long> STARTING_TIMESTAMP =
            key("vigil.alerting.starting-timestamp")
                    .longType()
                    .noDefaultValue()
                    .withDescription(
                            "Without a checkpoint, evaluate samples Kafka received at or after"
                                    + " this time (ms since the epoch) instead of the group's"
                                    + " committed offsets (or the latest, for a new group).");

    public static final ConfigOption<Duration> SERIES_IDLE_TIMEOUT =
            key("vigil.alerting.series-idle-timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(15))
                    .withDescription(
                            "A series silent for this long (wall clock) loses its rule state: its"
                                    + " pending and firing alerts resolve, baselines and rate"
                                    + " windows are freed. Absence alerts are the exception:"
                                    + " they keep firing until the series returns. A group of"
                                    + " a group-level rule without members for this long is"
                                    + " dropped the same way.");

    public static final ConfigOption<Duration> GROUP_EVALUATION_INTERVAL =
            key("vigil.alerting.group.evaluation-interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription(
                            "How often (wall clock) each group of a group-level rule is"
                                    + " aggregated and evaluated; a rule whose window_ms is"
                                    + " shorter is evaluated every window_ms (at least every"
                                    + " second). A group alert lags its samples by up to this.");

    public static final ConfigOption<Integer> GROUP_MAX_MEMBERS =
            key("vigil.alerting.group.max-members")
                    .intType()
                    .defaultValue(100_000)
                    .withDescription(
                            "The most series one group of a group-level rule holds; further"
                                    + " series are left out (counted in groupMembersRefused)"
                                    + " until members drop out. A GLOBAL rule over a fleet-wide"
                                    + " metric needs it as large as the fleet.");

    public static final ConfigOption<Duration> CEP_MAX_WINDOW =
            key("vigil.alerting.cep.max-window")
                    .durationType()
                    .defaultValue(Duration.ofHours(1))
                    .withDescription(
                            "Upper bound of window_ms x occurrences of SPIKE and CRASH_LOOP rules:"
                                    + " the static bound of the CEP patterns, after which partial"
                                    + " matches are dropped. Rules above it are dead-lettered.");

    public static final ConfigOption<Integer> FLAPPING_CYCLES =
            key("vigil.alerting.flapping.cycles")
                    .intType()
                    .defaultValue(3)
                    .withDescription(
                            "N: an alert that fires and resolves N times within"
                                    + " vigil.alerting.flapping.window is flapping.");

    public static final ConfigOption<Duration> FLAPPING_WINDOW =
            key("vigil.alerting.flapping.window")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription("T: the span the N fire/resolve cycles must fall into.");

    public static final ConfigOption<Duration> FLAPPING_STABLE_FOR =
            key("vigil.alerting.flapping.stable-for")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription(
                            "A flapping alert is stable again, and its held state published, once"
                                    + " it made no transition for this long (wall clock).");

    private AlertingOptions() {}
}
