package io.vigil.jobs.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.connectors.kafka.KafkaConnectors;
import io.vigil.connectors.kafka.KafkaSettings;
import io.vigil.schemas.Topics;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job's graph, without running it: its guard, its savepoint-stable uids, and where batches
 * become samples.
 */
class ArchiveJobTest {
    /** Nothing connects while the graph is only built. */
    private static final KafkaSettings NO_KAFKA = KafkaSettings.of("localhost:1");

    @TempDir Path archive;

    @Test
    void refusesToRunWithoutCheckpointsSinceNoFileWouldEverBeCommitted() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();

        assertThatThrownBy(() -> job().build(env))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("enable checkpointing");
    }

    @Test
    void everyOperatorHasAStableUid() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.enableCheckpointing(10_000);

        job().build(env);

        assertThat(env.getStreamGraph().getStreamNodes())
                .extracting(StreamNode::getTransformationUID)
                .contains(
                        "archive-samples-source",
                        "archive-split-dead-letters",
                        "archive-flatten-batches",
                        "archive-samples-files",
                        "archive-dead-letter-sink");
    }

    @Test
    void batchesAreFlattenedWhereTheyAreReadAndOnlySamplesAreKeyed() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.enableCheckpointing(10_000);
        job().build(env);
        StreamGraph graph = env.getStreamGraph();

        // Forward edges at equal parallelism are chained: no batch crosses the network, and the
        // one shuffle is the samples' to their partition's writer, as before batches.
        assertThat(inputs(graph, "archive-split-dead-letters"))
                .containsExactly("archive-samples-source FORWARD");
        assertThat(inputs(graph, "archive-flatten-batches"))
                .containsExactly("archive-split-dead-letters FORWARD");
        assertThat(inputs(graph, "archive-samples-files"))
                .containsExactly("archive-flatten-batches HASH");
    }

    /** The inputs of an operator, as "uid partitioner". */
    private static List<String> inputs(StreamGraph graph, String uid) {
        StreamNode node =
                graph.getStreamNodes().stream()
                        .filter(n -> uid.equals(n.getTransformationUID()))
                        .findFirst()
                        .orElseThrow();
        return node.getInEdges().stream()
                .map(
                        edge ->
                                graph.getStreamNode(edge.getSourceId()).getTransformationUID()
                                        + " "
                                        + edge.getPartitioner())
                .toList();
    }

    private ArchiveJob job() {
        return new ArchiveJob(
                KafkaConnectors.source(NO_KAFKA, Topics.METRIC_SAMPLES, "test"),
                ArchiveFiles.samplesSink(archive.toUri().toString(), 6),
                KafkaConnectors.deadLetterSink(NO_KAFKA));
    }
}
