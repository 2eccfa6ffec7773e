package io.vigil.jobs.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.connectors.kafka.KafkaConnectors;
import io.vigil.connectors.kafka.KafkaSettings;
import io.vigil.schemas.Topics;
import java.nio.file.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job's graph, without running it: its guard and its savepoint-stable uids. */
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
                        "archive-samples-files",
                        "archive-dead-letter-sink");
    }

    private ArchiveJob job() {
        return new ArchiveJob(
                KafkaConnectors.source(NO_KAFKA, Topics.METRIC_SAMPLES, "test"),
                ArchiveFiles.samplesSink(archive.toUri().toString(), 6),
                KafkaConnectors.deadLetterSink(NO_KAFKA));
    }
}
