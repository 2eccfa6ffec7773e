package io.vigil.schemas;

import java.util.List;

/**
 * The registry of Vigil's Kafka topics. Topic names appear nowhere else as literals.
 *
 * <table>
 *   <caption>Topics</caption>
 *   <tr><th>topic</th><th>key</th><th>value</th></tr>
 *   <tr><td>vigil.metrics.samples</td><td>origin id</td><td>{@link MetricBatch} (or a legacy
 *       {@link MetricSample})</td></tr>
 *   <tr><td>vigil.client.reports</td><td>origin</td><td>{@link ClientReport}</td></tr>
 *   <tr><td>vigil.rules</td><td>rule id</td><td>{@link Rule}, compacted</td></tr>
 *   <tr><td>vigil.silences</td><td>silence id</td><td>{@link Silence}, compacted</td></tr>
 *   <tr><td>vigil.alerts</td><td>fingerprint</td><td>{@link AlertEvent}</td></tr>
 *   <tr><td>vigil.deadletter</td><td>source topic</td><td>{@link DeadLetter}</td></tr>
 * </table>
 */
public final class Topics {
    /**
     * Raw samples from agents, scrapers and the intake: one {@link MetricBatch} per host (or
     * target) and collection, keyed by {@link MetricBatches#originId} so that a host's batches stay
     * ordered on one partition. Per-sample {@link MetricSample} records, the value before batches,
     * are still read (as batches of one), so producers can be upgraded one at a time.
     */
    public static final Topic<MetricBatch> METRIC_SAMPLES =
            new Topic<>(
                    "vigil.metrics.samples",
                    KeyFormat.LONG,
                    MetricBatch.class,
                    Topic.Cleanup.DELETE,
                    AvroCodec.of(MetricBatch.class)
                            .alsoReading(AvroCodec.of(MetricSample.class), MetricBatches::of));

    /** Client-side network error reports (NEL), keyed by the origin they concern. */
    public static final Topic<ClientReport> CLIENT_REPORTS =
            new Topic<>(
                    "vigil.client.reports",
                    KeyFormat.STRING,
                    ClientReport.class,
                    Topic.Cleanup.DELETE);

    /** Accepted rule versions; compacted so a restarted job reads every live rule. */
    public static final Topic<Rule> RULES =
            new Topic<>("vigil.rules", KeyFormat.STRING, Rule.class, Topic.Cleanup.COMPACT);

    /** Silences; compacted like rules. */
    public static final Topic<Silence> SILENCES =
            new Topic<>("vigil.silences", KeyFormat.STRING, Silence.class, Topic.Cleanup.COMPACT);

    /** Alert transitions that operators and the notifier consume. */
    public static final Topic<AlertEvent> ALERTS =
            new Topic<>("vigil.alerts", KeyFormat.STRING, AlertEvent.class, Topic.Cleanup.DELETE);

    /** Everything that could not be processed, with the reason; keyed by the source topic. */
    public static final Topic<DeadLetter> DEAD_LETTER =
            new Topic<>(
                    "vigil.deadletter", KeyFormat.STRING, DeadLetter.class, Topic.Cleanup.DELETE);

    /** Every topic, for the tools that create them. */
    public static final List<Topic<?>> ALL =
            List.of(METRIC_SAMPLES, CLIENT_REPORTS, RULES, SILENCES, ALERTS, DEAD_LETTER);

    private Topics() {}
}
