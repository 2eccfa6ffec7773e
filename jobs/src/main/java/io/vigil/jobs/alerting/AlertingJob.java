package io.vigil.jobs.alerting;

import io.vigil.connectors.kafka.DeadLetterSplitter;
import io.vigil.connectors.kafka.DeadLetters;
import io.vigil.connectors.validation.SampleValidator;
import io.vigil.connectors.validation.ValidateBatches;
import io.vigil.jobs.alerting.functions.FlapGate;
import io.vigil.jobs.alerting.functions.GroupEvaluator;
import io.vigil.jobs.alerting.functions.PatternAlertFunction;
import io.vigil.jobs.alerting.functions.Patterns;
import io.vigil.jobs.alerting.functions.RuleEvaluator;
import io.vigil.jobs.alerting.functions.WallClockTime;
import io.vigil.jobs.alerting.records.PatternSignal;
import io.vigil.jobs.alerting.records.RuleUpdate;
import io.vigil.schemas.AlertEvent;
import io.vigil.schemas.DeadLetter;
import io.vigil.schemas.MetricBatch;
import io.vigil.schemas.MetricBatches;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.cep.CEP;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;

/**
 * alerting: samples and rules to alert transitions.
 *
 * <pre>
 *   batches -> split dead letters -> validate -> key by host -----+-> evaluate rules (per host,
 *   rules (compacted, tombstones) -> split dead letters -> broadcast -'  each series on its own;
 *                                                                       and to evaluate group rules)
 *
 *   evaluate rules -+-> series transitions ---------------------------------------------+
 *                   +-> crash-loop falls -> CEP crash loop -+-> pattern alert lifecycle -+
 *                   +-> spike windows -----> CEP spike -----'                            |
 *                   '-> group contributions -> key by (rule, group) -> evaluate group    |
 *                                              rules (+ broadcast rules) ---------------+
 *                                                                                        |
 *   all transitions <-------------------------------------------------------------------'
 *     -> key by fingerprint -+-> CEP flapping --.
 *                            '-> flapping gate <-' -> vigil.alerts
 *   all transitions + flapping alerts -> alert_history, alerts_by_day
 *   undecodable samples and rules, invalid samples, rules that cannot be evaluated -> vigil.deadletter
 * </pre>
 *
 * <p>The job receives its sources and sinks; {@link AlertingJobMain} wires Kafka and Cassandra,
 * tests wire their own. Samples come in batches, one per host and collection ({@link MetricBatch}):
 * a batch is decoded once, validated where it is read (a bad sample goes to the dead letters alone,
 * the rest of its batch goes on), and crosses the network once, keyed by its host ({@link
 * MetricBatches#originId}, also its Kafka key), to the evaluator that keeps all of that host's
 * series. The samples carry no watermarks: rules are evaluated per sample in the samples' own event
 * time, and what silence decides (absence, idle expiry, quiet CEP alerts, flapping stability) and
 * when a group of a group-level rule is evaluated run on the wall clock; see {@link RuleEvaluator}
 * and {@link GroupEvaluator}. The CEP stages run in event time on the wall clock ({@link
 * WallClockTime}), so that their state goes with the window.
 */
public final class AlertingJob {
    static final String NAME = "vigil alerting";

    /**
     * How long the operators that emit alert transitions hold a network buffer that is not full.
     * Flink's default, 100 ms, suits the samples, which fill buffers in a moment; transitions are
     * few and would wait for the timeout at every hop to the alerts topic. Not shorter: each such
     * operator has a thread that wakes at this interval whatever the load, and at 5 ms those
     * wake-ups were a third of an idle TaskManager's CPU, for a few milliseconds of an alert
     * latency measured in tens of milliseconds.
     */
    static final long ALERT_PATH_BUFFER_TIMEOUT_MS = 25;

    private final Source<Either<DeadLetter, MetricBatch>, ?, ?> samples;
    private final Source<Either<DeadLetter, RuleUpdate>, ?, ?> rules;
    private final Sinks sinks;
    private final Configuration options;

    /**
     * Where the job writes.
     *
     * @param alerts the transitions for notification, flapping alerts held back ({@code
     *     vigil.alerts}, keyed by fingerprint)
     * @param history every transition ({@code alert_history})
     * @param byDay every transition ({@code alerts_by_day})
     * @param deadLetters undecodable and invalid samples and rules ({@code vigil.deadletter})
     */
    public record Sinks(
            Sink<AlertEvent> alerts,
            Sink<AlertEvent> history,
            Sink<AlertEvent> byDay,
            Sink<DeadLetter> deadLetters) {
        public Sinks {
            Objects.requireNonNull(alerts, "alerts");
            Objects.requireNonNull(history, "history");
            Objects.requireNonNull(byDay, "byDay");
            Objects.requireNonNull(deadLetters, "deadLetters");
        }
    }

    /**
     * @param samples decoded batches of samples or dead letters, e.g. {@code
     *     KafkaConnectors.source(kafka, Topics.METRIC_SAMPLES, groupId)}
     * @param rules rule versions and deletions, e.g. {@link AlertingJobMain#rulesSource}
     * @param sinks where transitions and dead letters go
     * @param options {@link AlertingOptions} and the sample validation options
     */
    public AlertingJob(
            Source<Either<DeadLetter, MetricBatch>, ?, ?> samples,
            Source<Either<DeadLetter, RuleUpdate>, ?, ?> rules,
            Sinks sinks,
            Configuration options) {
        this.samples = Objects.requireNonNull(samples, "samples");
        this.rules = Objects.requireNonNull(rules, "rules");
        this.sinks = Objects.requireNonNull(sinks, "sinks");
        this.options = Objects.requireNonNull(options, "options");
        if (options.get(AlertingOptions.FLAPPING_CYCLES) < 1) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s must be at least 1, was %s",
                            AlertingOptions.FLAPPING_CYCLES.key(),
                            options.get(AlertingOptions.FLAPPING_CYCLES)));
        }
    }

    /** Adds the job's operators to {@code env}. */
    public void build(StreamExecutionEnvironment env) {
        TypeInformation<AlertEvent> alertType = new AvroTypeInfo<>(AlertEvent.class);
        Duration cepMaxWindow = options.get(AlertingOptions.CEP_MAX_WINDOW);

        TypeInformation<MetricBatch> batchType = new AvroTypeInfo<>(MetricBatch.class);
        // Split and validation are chained to the source: a batch is decoded once, and its bad
        // samples leave it before it crosses the network.
        SingleOutputStreamOperator<MetricBatch> decoded =
                env.fromSource(samples, WatermarkStrategy.noWatermarks(), "Kafka: samples")
                        .uid("alerting-samples-source")
                        .name("Kafka: samples")
                        .process(new DeadLetterSplitter<MetricBatch>())
                        .returns(batchType)
                        .uid("alerting-split-dead-letters")
                        .name("Split off undecodable samples");
        SingleOutputStreamOperator<MetricBatch> valid =
                decoded.process(
                                new ValidateBatches(
                                        SampleValidator.builder().options(options).build(),
                                        Clock.systemUTC()))
                        .returns(batchType)
                        .uid("alerting-validate")
                        .name("Validate samples");

        SingleOutputStreamOperator<RuleUpdate> ruleUpdates =
                env.fromSource(rules, WatermarkStrategy.noWatermarks(), "Kafka: rules")
                        .uid("alerting-rules-source")
                        .name("Kafka: rules")
                        .process(new DeadLetterSplitter<RuleUpdate>())
                        .returns(RuleUpdate.TYPE)
                        .uid("alerting-split-rule-dead-letters")
                        .name("Split off undecodable rules");
        // One subtask handles the few rules, so a rule's versions stay in the order of their
        // partition on their way to the broadcast, which copies them to every evaluator.
        ruleUpdates.setParallelism(1);
        BroadcastStream<RuleUpdate> broadcastRules = ruleUpdates.broadcast(Descriptors.RULES);

        // Keyed by host, not by series: one shuffle per batch instead of one per sample, and the
        // evaluator keeps the state of all the host's series under one key.
        SingleOutputStreamOperator<AlertEvent> evaluated =
                valid.keyBy(MetricBatches::originId, Types.LONG)
                        .connect(broadcastRules)
                        .process(
                                new RuleEvaluator(
                                        options.get(AlertingOptions.SERIES_IDLE_TIMEOUT),
                                        cepMaxWindow))
                        .returns(alertType)
                        .uid("alerting-rule-evaluator")
                        .name("Evaluate rules")
                        .setBufferTimeout(ALERT_PATH_BUFFER_TIMEOUT_MS);

        DataStream<PatternSignal> crashLoops =
                CEP.pattern(
                                onWallClock(
                                                evaluated.getSideOutput(
                                                        Descriptors.CRASH_LOOP_DOWNS),
                                                "alerting-crash-loop-clock")
                                        .keyBy(signal -> signal.fingerprint, Types.STRING),
                                Patterns.crashLoop(cepMaxWindow))
                        .process(new Patterns.MatchToSignal(), PatternSignal.TYPE)
                        .uid("alerting-cep-crash-loop")
                        .name("CEP: crash loops");
        DataStream<PatternSignal> spikes =
                CEP.pattern(
                                onWallClock(
                                                evaluated.getSideOutput(Descriptors.SPIKE_WINDOWS),
                                                "alerting-spike-clock")
                                        .keyBy(signal -> signal.fingerprint, Types.STRING),
                                Patterns.spike(cepMaxWindow))
                        .process(new Patterns.MatchToSignal(), PatternSignal.TYPE)
                        .uid("alerting-cep-spike")
                        .name("CEP: spikes");
        DataStream<AlertEvent> patternAlerts =
                crashLoops
                        .union(spikes)
                        .keyBy(signal -> signal.fingerprint, Types.STRING)
                        .process(new PatternAlertFunction())
                        .returns(alertType)
                        .uid("alerting-pattern-alerts")
                        .name("Crash-loop and spike alerts")
                        .setBufferTimeout(ALERT_PATH_BUFFER_TIMEOUT_MS);

        // Group-level rules: keyed by (rule, group), with the rules broadcast here too.
        DataStream<AlertEvent> groupAlerts =
                evaluated
                        .getSideOutput(Descriptors.GROUP_CONTRIBUTIONS)
                        .keyBy(contribution -> contribution.groupId, Types.LONG)
                        .connect(broadcastRules)
                        .process(
                                new GroupEvaluator(
                                        options.get(AlertingOptions.GROUP_EVALUATION_INTERVAL),
                                        options.get(AlertingOptions.SERIES_IDLE_TIMEOUT),
                                        options.get(AlertingOptions.GROUP_MAX_MEMBERS),
                                        cepMaxWindow))
                        .returns(alertType)
                        .uid("alerting-group-evaluator")
                        .name("Evaluate group rules")
                        .setBufferTimeout(ALERT_PATH_BUFFER_TIMEOUT_MS);

        DataStream<AlertEvent> transitions = evaluated.union(patternAlerts, groupAlerts);
        int cycles = options.get(AlertingOptions.FLAPPING_CYCLES);
        DataStream<AlertEvent> flapping =
                CEP.pattern(
                                onWallClock(transitions, "alerting-flapping-clock")
                                        .keyBy(AlertEvent::getFingerprint, Types.STRING),
                                Patterns.flapping(
                                        cycles, options.get(AlertingOptions.FLAPPING_WINDOW)))
                        .process(new Patterns.FlappingDetected(cycles), alertType)
                        .uid("alerting-cep-flapping")
                        .name("CEP: flapping");
        SingleOutputStreamOperator<AlertEvent> published =
                transitions
                        .keyBy(AlertEvent::getFingerprint, Types.STRING)
                        .connect(flapping.keyBy(AlertEvent::getFingerprint, Types.STRING))
                        .process(new FlapGate(options.get(AlertingOptions.FLAPPING_STABLE_FOR)))
                        .returns(alertType)
                        .uid("alerting-flapping-gate")
                        .name("Hold flapping alerts");

        published.sinkTo(sinks.alerts()).uid("alerting-alerts-sink").name("Kafka: alerts");
        DataStream<AlertEvent> history =
                transitions.union(published.getSideOutput(Descriptors.FLAPPING_ALERTS));
        history.sinkTo(sinks.history())
                .uid("alerting-history-sink")
                .name("Cassandra: alert_history");
        history.sinkTo(sinks.byDay()).uid("alerting-by-day-sink").name("Cassandra: alerts_by_day");

        decoded.getSideOutput(DeadLetters.TAG)
                .union(
                        valid.getSideOutput(DeadLetters.TAG),
                        ruleUpdates.getSideOutput(DeadLetters.TAG),
                        evaluated.getSideOutput(DeadLetters.TAG))
                .sinkTo(sinks.deadLetters())
                .uid("alerting-dead-letter-sink")
                .name("Kafka: dead letters");
    }

    /**
     * The stream stamped with the wall clock and watermarks that follow it, for a CEP stage: see
     * {@link WallClockTime} for why not CEP in processing time.
     */
    private static <T> DataStream<T> onWallClock(DataStream<T> stream, String uid) {
        return stream.assignTimestampsAndWatermarks(WallClockTime.system())
                .uid(uid)
                .name("Stamp with the wall clock");
    }

    /** Builds and runs the job until it ends or is cancelled. */
    public JobExecutionResult execute(StreamExecutionEnvironment env) throws Exception {
        build(env);
        return env.execute(NAME);
    }
}
