package io.vigil.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

class CassandraNodeTest {

    /**
     * Cassandra logs through logback 1.2, which binds only to slf4j-api 1.x; with slf4j-api 2 on
     * its class path it would log nothing (and readiness, which reads its log, would time out).
     */
    @Test
    void runtimeClassPathLetsCassandraLog() {
        assertThat(RuntimeClasspath.load("cassandra"))
                .extracting(path -> path.getFileName().toString())
                .filteredOn(name -> name.startsWith("slf4j-api-"))
                .singleElement()
                .asString()
                .startsWith("slf4j-api-1.");
    }

    @Test
    void writesAYamlWithEveryFolderUnderTheDataFolder() {
        Path dir = Path.of("/data/cassandra");

        String yaml = CassandraNode.toYaml(CassandraNode.cassandraYaml(19042, 17000, dir));
        Map<String, Object> config = new Yaml().load(yaml);

        assertThat(config)
                .containsEntry("native_transport_port", 19042)
                .containsEntry("storage_port", 17000)
                .containsEntry("num_tokens", 16)
                .containsEntry("listen_address", "127.0.0.1")
                .containsEntry("rpc_address", "127.0.0.1")
                .containsEntry("endpoint_snitch", "SimpleSnitch")
                .containsEntry("paxos_variant", "v2")
                .containsEntry("authenticator", "AllowAllAuthenticator")
                .containsEntry("data_file_directories", List.of("/data/cassandra/data"))
                .containsEntry("commitlog_directory", "/data/cassandra/commitlog")
                .containsEntry("hints_directory", "/data/cassandra/hints")
                .containsEntry("cdc_raw_directory", "/data/cassandra/cdc_raw")
                .containsEntry("saved_caches_directory", "/data/cassandra/saved_caches");
        assertThat(yaml).contains("seeds: 127.0.0.1:17000");
    }

    @Test
    void logbackWritesToTheGivenFile() {
        assertThat(CassandraNode.logbackXml(Path.of("/data/a&b/cassandra.log")))
                .contains("<file>/data/a&amp;b/cassandra.log</file>");
    }
}
