package io.vigil.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlinkConfigTest {

    @Test
    void flattensNestedKeys() {
        Map<String, Object> config =
                FlinkConfig.load(
                        yaml(
                                """
                                taskmanager:
                                  numberOfTaskSlots: 2
                                  memory:
                                    process.size: 2048m
                                rest.port: 8081
                                """));

        assertThat(config)
                .containsExactly(
                        Map.entry("taskmanager.numberOfTaskSlots", 2),
                        Map.entry("taskmanager.memory.process.size", "2048m"),
                        Map.entry("rest.port", 8081));
    }

    @Test
    void overridesReplaceEitherSpellingAndKeepTheBaseOrder() {
        Map<String, Object> base =
                FlinkConfig.load(
                        yaml(
                                """
                                rest:
                                  port: 8081
                                parallelism.default: 2
                                """));
        Map<String, Object> overrides = new LinkedHashMap<>();
        overrides.put("rest.port", 41234);
        overrides.put("io.tmp.dirs", "/data/flink/tmp");

        Map<String, Object> merged = FlinkConfig.merge(base, overrides);

        assertThat(merged)
                .containsExactly(
                        Map.entry("rest.port", 41234),
                        Map.entry("parallelism.default", 2),
                        Map.entry("io.tmp.dirs", "/data/flink/tmp"));
    }

    @Test
    void writtenYamlReadsBackTheSame() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put(
                "env.java.default-opts.all",
                "--add-opens=java.base/java.lang=ALL-UNNAMED ".repeat(20).trim());
        config.put("restart-strategy.exponential-delay.backoff-multiplier", 2.0);
        config.put("web.submit.enable", true);
        config.put("blob.server.port", "41235");
        config.put("state.checkpoints.dir", "file:///data/flink/checkpoints");

        String yaml = FlinkConfig.toYaml(config);

        assertThat(yaml.lines()).hasSize(config.size());
        assertThat(FlinkConfig.load(yaml(yaml))).isEqualTo(config);
    }

    @Test
    void collectsJavaOptionsLikeFlinksScripts() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("env.java.opts.taskmanager", "-XX:+UseG1GC");
        config.put("env.java.default-opts.all", "--add-opens=a  --add-opens=b");
        config.put("env.java.opts.all", "-Dx=1");
        config.put("env.java.opts.jobmanager", "-Dnot=mine");

        assertThat(FlinkConfig.javaOptions(config, "taskmanager"))
                .containsExactly("--add-opens=a", "--add-opens=b", "-Dx=1", "-XX:+UseG1GC");
    }

    @Test
    void bundledClusterConfigurationLoads() {
        InputStream bundled =
                getClass()
                        .getClassLoader()
                        .getResourceAsStream("io/vigil/stack/flink-conf/config.yaml");

        Map<String, Object> config = FlinkConfig.load(bundled);

        assertThat(config)
                .containsKeys("taskmanager.memory.process.size", "env.java.default-opts.all");
        assertThat(FlinkConfig.javaOptions(config, "jobmanager"))
                .contains("--add-opens=java.base/java.util=ALL-UNNAMED");
    }

    private static InputStream yaml(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }
}
