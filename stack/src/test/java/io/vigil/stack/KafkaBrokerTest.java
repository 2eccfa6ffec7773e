package io.vigil.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class KafkaBrokerTest {

    @Test
    void configuresACombinedModeNodeOnLoopbackPorts() throws Exception {
        Properties properties = new Properties();
        properties.load(
                new StringReader(
                        KafkaBroker.serverProperties(19092, 19093, Path.of("/data/kafka/data"))));

        assertThat(properties)
                .containsEntry("process.roles", "broker,controller")
                .containsEntry("node.id", "1")
                .containsEntry("controller.quorum.voters", "1@127.0.0.1:19093")
                .containsEntry(
                        "listeners", "PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093")
                .containsEntry("advertised.listeners", "PLAINTEXT://127.0.0.1:19092")
                .containsEntry("log.dirs", "/data/kafka/data")
                .containsEntry("auto.create.topics.enable", "false")
                .containsEntry("num.partitions", "4")
                .containsEntry("offsets.topic.replication.factor", "1")
                .containsEntry("transaction.state.log.replication.factor", "1")
                .containsEntry("group.initial.rebalance.delay.ms", "0");
    }

    @Test
    void clusterIdsAreSixteenRandomBytesInKafkasFormat() {
        String id = KafkaBroker.newClusterId();

        assertThat(id).hasSize(22).doesNotStartWith("-").matches("[A-Za-z0-9_-]+");
        assertThat(ByteBuffer.wrap(Base64.getUrlDecoder().decode(id)).remaining()).isEqualTo(16);
        assertThat(KafkaBroker.newClusterId()).isNotEqualTo(id);
    }

    @Test
    void logsIntoTheGivenFile() {
        assertThat(KafkaBroker.log4j2Properties(Path.of("/data/logs/kafka.log")))
                .contains("appender.file.fileName = /data/logs/kafka.log")
                .contains("rootLogger.level = INFO");
    }
}
