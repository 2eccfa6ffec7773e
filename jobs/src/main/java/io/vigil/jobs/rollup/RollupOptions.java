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

    private RollupOptions() {}
}
