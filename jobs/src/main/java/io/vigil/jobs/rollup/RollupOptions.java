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
     * Most series one origin (a host or scrape target) may have in the rollup's state; see {@link
     * io.vigil.jobs.rollup.functions.HostRollupFunction}.
     */
    public static final ConfigOption<Integer> MAX_SERIES_PER_ORIGIN =
            key("vigil.rollup.cardinality.max-series-per-origin")
                    .intType()
                    .defaultValue(50_000)
                    .withDescription(
                            "Most distinct series one origin (the host label of a batch, or its"
                                    + " shared labels) may have in the job's state at once;"
                                    + " samples of further series are dead-lettered as"
                                    + " cardinality-limit. A series gives its place back once"
                                    + " its samples are written and its counter baseline has"
                                    + " expired. Like Prometheus's sample_limit per target, it"
                                    + " stops a runaway exporter where it starts.");

    /** How far after a window's end origins close it, spread over origins. */
    public static final ConfigOption<Duration> CLOSE_SPREAD =
            key("vigil.rollup.close-spread")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription(
                            "Each origin closes its windows a fixed delay between 0 and this after"
                                    + " the watermark passes their end (derived from the origin,"
                                    + " so stable), so that the rows of all series are not"
                                    + " written in the same second. Adds at most this to the"
                                    + " time until a rollup row is written; shorter than the"
                                    + " window.");

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
