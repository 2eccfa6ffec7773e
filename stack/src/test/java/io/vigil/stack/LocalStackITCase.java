package io.vigil.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import io.vigil.stack.junit.SharedStackExtension;
import io.vigil.stack.state.Health;
import io.vigil.stack.state.StackState;
import io.vigil.stack.state.StackStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The shared stack answers real clients, and its state file says so. */
@ExtendWith(SharedStackExtension.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LocalStackITCase {

    /** Only this test uses it; the broker does not create topics by itself. */
    private static final String TOPIC = "local-stack-itcase";

    private final LocalStack stack;

    LocalStackITCase(LocalStack stack) {
        this.stack = stack;
    }

    @Test
    void kafkaAnswersAnAdminClient() throws Exception {
        try (Admin admin =
                Admin.create(
                        Map.of(
                                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                                stack.kafkaBootstrapServers()))) {
            assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(1);

            admin.createTopics(List.of(new NewTopic(TOPIC, Optional.empty(), Optional.empty())))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            TopicDescription topic =
                    admin.describeTopics(List.of(TOPIC))
                            .allTopicNames()
                            .get(30, TimeUnit.SECONDS)
                            .get(TOPIC);
            assertThat(topic.partitions()).as("num.partitions").hasSize(4);
        }
    }

    @Test
    void cassandraAnswersACqlQuery() {
        try (CqlSession session =
                CqlSession.builder()
                        .addContactPoint(stack.cassandraContactPoint())
                        .withLocalDatacenter(stack.cassandraLocalDatacenter())
                        .build()) {
            String version =
                    session.execute("SELECT release_version FROM system.local")
                            .one()
                            .getString("release_version");

            assertThat(version).startsWith("5.0");
        }
    }

    @Test
    void flinkSessionClusterHasOneTaskManager() {
        FlinkRestClient flink = stack.startFlink(1);

        assertThat(flink.taskManagerCount()).isEqualTo(1);
        assertThat(flink.get("/overview").path("slots-total").asInt()).isEqualTo(2);
        assertThat(stack.startFlink(1)).as("started once, then shared").isSameAs(flink);
        assertThat(stack.flinkRestUri()).isEqualTo(flink.restUri());
    }

    @Test
    void stateFileReportsEveryProcessRunning() {
        stack.startFlink(1);

        StackStatus status = StackState.read(stack.dataDir()).orElseThrow().status();

        assertThat(status.processes())
                .extracting(process -> process.name())
                .containsExactlyInAnyOrder(
                        "kafka", "cassandra", "flink-jobmanager", "flink-taskmanager-1");
        assertThat(status.allRunning()).as("%s", status).isTrue();
        assertThat(status.health("kafka")).hasValue(Health.RUNNING);
    }

    @Test
    void eachProcessLogsIntoItsOwnFile() {
        stack.startFlink(1);

        assertThat(stack.process("kafka").orElseThrow().logFile())
                .content()
                .contains("Kafka Server started");
        assertThat(stack.process("cassandra").orElseThrow().logFile())
                .content()
                .contains("Starting listening for CQL clients");
        assertThat(stack.process("flink-jobmanager").orElseThrow().logFile())
                .content()
                .contains("Rest endpoint listening at");
        assertThat(stack.processes())
                .allSatisfy(process -> assertThat(process.startupTime()).isPresent());
    }
}
