package io.vigil.jobs.alerting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.connectors.cassandra.CassandraSinkOptions;
import io.vigil.connectors.kafka.KafkaConnectors;
import io.vigil.connectors.kafka.KafkaSettings;
import io.vigil.jobs.alerting.functions.FlapGate;
import io.vigil.jobs.alerting.functions.PatternAlertFunction;
import io.vigil.schemas.Topics;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.functions.SerializerFactory;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/**
 * The job's graph, without running it: stable uids, no type (of an edge or of state) that falls
 * back to Kryo, and where batches cross the network.
 */
class AlertingJobTest {
    /** Nothing connects while the graph is only built. */
    private static final KafkaSettings NO_KAFKA = KafkaSettings.of("localhost:1");

    private static Configuration options() {
        Configuration options = new Configuration();
        options.set(CassandraSinkOptions.CONTACT_POINTS, List.of("localhost:1"));
        options.set(CassandraSinkOptions.LOCAL_DATACENTER, "dc1");
        return options;
    }

    private static AlertingJob job(Configuration options) {
        return new AlertingJob(
                KafkaConnectors.source(NO_KAFKA, Topics.METRIC_SAMPLES, "test"),
                AlertingJobMain.rulesSource(NO_KAFKA, "test-rules"),
                AlertingJobMain.sinks(NO_KAFKA, options),
                options);
    }

    @Test
    void everyOperatorHasAStableUidAndNoTypeFallsBackToKryo() {
        Configuration strict = new Configuration();
        strict.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(strict);

        job(options()).build(env);

        List<StreamNode> nodes = List.copyOf(env.getStreamGraph().getStreamNodes());
        assertThat(nodes)
                .extracting(StreamNode::getTransformationUID)
                .contains(
                        "alerting-samples-source",
                        "alerting-rules-source",
                        "alerting-rule-evaluator",
                        "alerting-cep-crash-loop",
                        "alerting-cep-spike",
                        "alerting-pattern-alerts",
                        "alerting-cep-flapping",
                        "alerting-flapping-gate",
                        "alerting-alerts-sink",
                        "alerting-history-sink",
                        "alerting-by-day-sink",
                        "alerting-dead-letter-sink");
        // Serializers of every edge exist: with generic types off, a Kryo fallback would throw.
        for (StreamNode node : nodes) {
            for (TypeSerializer<?> in : node.getTypeSerializersIn()) {
                assertThat(in).as(node.getOperatorName()).isNotNull();
            }
        }
        // State: every descriptor's serializer, built as the state backend would.
        SerializerConfigImpl serializers = new SerializerConfigImpl(strict);
        SerializerFactory factory =
                new SerializerFactory() {
                    @Override
                    public <T> TypeSerializer<T> createSerializer(TypeInformation<T> type) {
                        return type.createSerializer(serializers);
                    }
                };
        Stream.of(
                        Descriptors.RULES,
                        Descriptors.SERIES,
                        Descriptors.HOST_WAKE_UP,
                        Descriptors.GROUP,
                        Descriptors.GROUP_MEMBERS,
                        PatternAlertFunction.ALERT,
                        FlapGate.STATE)
                .forEach(
                        descriptor -> {
                            descriptor.initializeSerializerUnlessSet(factory);
                            assertThat(descriptor.getSerializer()).isNotNull();
                        });
    }

    @Test
    void batchesAreValidatedWhereTheyAreReadAndCrossTheNetworkOnceKeyedByHost() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        job(options()).build(env);
        StreamGraph graph = env.getStreamGraph();

        // Source, split and validation forward to each other (chained at equal parallelism); the
        // one shuffle of a batch is the evaluator's, by host, beside the rules' broadcast.
        assertThat(inputs(graph, "alerting-split-dead-letters"))
                .containsExactly("alerting-samples-source FORWARD");
        assertThat(inputs(graph, "alerting-validate"))
                .containsExactly("alerting-split-dead-letters FORWARD");
        assertThat(inputs(graph, "alerting-rule-evaluator"))
                .containsExactlyInAnyOrder(
                        "alerting-validate HASH", "alerting-split-rule-dead-letters BROADCAST");
        // A batch travels as Avro, never through Kryo.
        assertThat(node(graph, "alerting-rule-evaluator").getTypeSerializersIn()[0])
                .isInstanceOf(AvroSerializer.class);
    }

    private static StreamNode node(StreamGraph graph, String uid) {
        return graph.getStreamNodes().stream()
                .filter(node -> uid.equals(node.getTransformationUID()))
                .findFirst()
                .orElseThrow();
    }

    /** The inputs of an operator, as "uid partitioner". */
    private static List<String> inputs(StreamGraph graph, String uid) {
        return node(graph, uid).getInEdges().stream()
                .map(
                        edge ->
                                graph.getStreamNode(edge.getSourceId()).getTransformationUID()
                                        + " "
                                        + edge.getPartitioner())
                .toList();
    }

    @Test
    void refusesFlappingWithoutCycles() {
        Configuration options = options();
        options.set(AlertingOptions.FLAPPING_CYCLES, 0);
        assertThatThrownBy(() -> job(options))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("vigil.alerting.flapping.cycles must be at least 1");
    }
}
