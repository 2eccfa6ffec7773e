package io.vigil.jobs.rollup;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;

/** Options of the metrics-rollup job. */
public final class RollupOptions {
    public static final ConfigOption<String> GROUP_ID =
            key("vigil.rollup.group-id")
                    .stringType()
                    .defaultValue("vigil-metrics-rollup")
                    .withDescription("Kafka consumer group; its committed offsets show the lag.");

    public static final ConfigOption<Long> STARTING_TIMESTAMP =
            key("vigil.rollup.starting-timestamp")
                    .longType()
                    .noDefaultValue()
                    .withDescription(
                            "Without a checkpoint, start at the first sample Kafka received at or"
                                    + " after this time (ms since the epoch) instead of the"
                                    + " group's committed offsets.");

    public static final ConfigOption<Duration> WINDOW =
            key("vigil.rollup.window")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(1))
                    .withDescription(
                            "Length of the tumbling rollup windows; must divide an hour, which"
                                    + " cascades from them.");

    public static final ConfigOption<Duration> OUT_OF_ORDERNESS =
            key("vigil.rollup.out-of-orderness")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "How far behind the newest sample of a partition a sample may be and"
                                    + " still count; later ones are dead-lettered as late. Also"
                                    + " the delay before a window is written.");

    public static final ConfigOption<Duration> IDLENESS =
            key("vigil.rollup.idleness")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(1))
                    .withDescription(
                            "A partition without samples for this long stops holding back the"
                                    + " watermark of the others.");

    public static final ConfigOption<Duration> COUNTER_MEMORY =
            key("vigil.rollup.counter-memory")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription(
                            "How long a counter's last value bridges to its next sample; a counter"
                                    + " silent for longer starts a new baseline and its state is"
                                    + " freed.");

    /**
     * Twice a per-host metric of a fleet of a million hosts: such metrics fit with room for churn
     * and for the uneven split over shards, while one exporter that puts request ids or user ids
     * into labels is stopped after two million series instead of growing state without end.
     */
    public static final ConfigOption<Integer> MAX_SERIES_PER_METRIC =
            key("vigil.rollup.cardinality.max-series-per-metric")
                    .intType()
                    .defaultValue(2_000_000)
                    .withDescription(
                            "Most distinct series one metric name may have in the job's state;"
                                    + " samples of further series are dead-lettered as"
                                    + " cardinality-limit. Enforced per shard (the limit divided"
                                    + " by vigil.rollup.cardinality.shards, rounded up), so a"
                                    + " metric near the limit may lose a few series early.");

    public static final ConfigOption<Integer> CARDINALITY_SHARDS =
            key("vigil.rollup.cardinality.shards")
                    .intType()
                    .defaultValue(16)
                    .withDescription(
                            "Parts each metric's series are counted in (series id modulo this),"
                                    + " so that a metric with a million series is admitted by"
                                    + " up to this many parallel subtasks instead of one. At"
                                    + " most vigil.rollup.cardinality.max-series-per-metric.");

    public static final ConfigOption<Duration> CARDINALITY_IDLE_EXPIRY =
            key("vigil.rollup.cardinality.idle-expiry")
                    .durationType()
                    .defaultValue(Duration.ofHours(1))
                    .withDescription(
                            "A series without samples for this long (event time) gives its place"
                                    + " under the cardinality limit back, so churned series"
                                    + " (restarted pods, replaced hosts) do not keep it; up to a"
                                    + " quarter longer, as expiry is checked in steps.");

    public static final ConfigOption<Duration> HOSTS_WRITE_INTERVAL =
            key("vigil.rollup.hosts.write-interval")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription(
                            "How often (event time) a host's rows in hosts and hosts_by_place"
                                    + " are rewritten while its place stays the same; a new or"
                                    + " moved host is written at once. Also the precision of"
                                    + " last_seen.");

    public static final ConfigOption<Duration> HOSTS_RETENTION =
            key("vigil.rollup.hosts.retention")
                    .durationType()
                    .defaultValue(Duration.ofDays(30))
                    .withDescription(
                            "How long after its last write a host that stopped reporting stays"
                                    + " in hosts and hosts_by_place (the rows' TTL), and in the"
                                    + " job's state.");

    private RollupOptions() {}
}
