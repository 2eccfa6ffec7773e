package io.vigil.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

class CassandraNodeTest {

    private static final Path REPO = Path.of("/m2");
    private static final Path SLF4J_2 =
            REPO.resolve("org/slf4j/slf4j-api/2.0.17/slf4j-api-2.0.17.jar");
    private static final Path SLF4J_17 =
            REPO.resolve("org/slf4j/slf4j-api/1.7.36/slf4j-api-1.7.36.jar");
    private static final Path LOGBACK_12 =
            REPO.resolve("ch/qos/logback/logback-classic/1.2.12/logback-classic-1.2.12.jar");
    private static final Path CASSANDRA = REPO.resolve("cassandra-all-5.0.6.jar");

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
    void swapsSlf4j2ForOneThatLogback12CanBindTo() {
        List<Path> classpath = List.of(CASSANDRA, SLF4J_2, LOGBACK_12);

        assertThat(CassandraNode.withLogbackCompatibleSlf4j(classpath, Optional.of(SLF4J_17)))
                .hasValue(List.of(CASSANDRA, SLF4J_17, LOGBACK_12));
    }

    @Test
    void keepsAClassPathWhoseLoggingWorks() {
        List<Path> compatible = List.of(CASSANDRA, SLF4J_17, LOGBACK_12);

        assertThat(CassandraNode.withLogbackCompatibleSlf4j(compatible, Optional.empty()))
                .hasValue(compatible);
    }

    @Test
    void saysSoWhenLoggingCannotBeFixed() {
        List<Path> classpath = List.of(CASSANDRA, SLF4J_2, LOGBACK_12);

        assertThat(CassandraNode.withLogbackCompatibleSlf4j(classpath, Optional.empty())).isEmpty();
    }

    @Test
    void logbackWritesToTheGivenFile() {
        assertThat(CassandraNode.logbackXml(Path.of("/data/a&b/cassandra.log")))
                .contains("<file>/data/a&amp;b/cassandra.log</file>");
    }
}
