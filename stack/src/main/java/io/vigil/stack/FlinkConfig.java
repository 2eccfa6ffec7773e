package io.vigil.stack;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Reads, merges and writes Flink's {@code config.yaml} as flat {@code key.path: value} maps, the
 * form Flink itself documents: nested and flat spellings of a key mean the same to Flink, so they
 * are flattened before merging to let an override replace either.
 */
final class FlinkConfig {

    private FlinkConfig() {}

    /** Loads a YAML document as a flat, ordered map. An empty document gives an empty map. */
    static Map<String, Object> load(InputStream yaml) {
        Object document = new Yaml(new LoaderOptions()).load(yaml);
        if (document == null) {
            return new LinkedHashMap<>();
        }
        if (!(document instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(
                    String.format("A Flink configuration must be a YAML map: %s", document));
        }
        return flatten(map);
    }

    /** Turns {@code {a: {b: 1}}} into {@code {a.b: 1}}; lists and scalars stay values. */
    static Map<String, Object> flatten(Map<?, ?> nested) {
        Map<String, Object> flat = new LinkedHashMap<>();
        flattenInto("", nested, flat);
        return flat;
    }

    private static void flattenInto(String prefix, Map<?, ?> nested, Map<String, Object> flat) {
        nested.forEach(
                (key, value) -> {
                    String path = prefix + key;
                    if (value instanceof Map<?, ?> child) {
                        flattenInto(path + ".", child, flat);
                    } else {
                        flat.put(path, value);
                    }
                });
    }

    /** The base settings with the overrides on top; keys keep the base's order, new ones last. */
    static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> overrides) {
        Map<String, Object> merged = new LinkedHashMap<>(base);
        merged.putAll(overrides);
        return merged;
    }

    /** Writes a flat map as YAML, one {@code key: value} line each, long values unwrapped. */
    static String toYaml(Map<String, Object> flat) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setSplitLines(false);
        options.setWidth(Integer.MAX_VALUE);
        return new Yaml(options).dump(flat);
    }

    /**
     * The JVM options Flink's start scripts add for a process type, in their order: {@code
     * env.java.default-opts.all}, {@code env.java.opts.all}, then the same for the type.
     *
     * @param processType {@code jobmanager} or {@code taskmanager}
     */
    static List<String> javaOptions(Map<String, Object> flat, String processType) {
        List<String> options = new ArrayList<>();
        for (String key :
                List.of(
                        "env.java.default-opts.all",
                        "env.java.opts.all",
                        "env.java.default-opts." + processType,
                        "env.java.opts." + processType)) {
            Object value = flat.get(key);
            if (value != null) {
                // Word splitting, as the shell scripts do.
                Arrays.stream(value.toString().trim().split("\\s+"))
                        .filter(option -> !option.isEmpty())
                        .forEach(options::add);
            }
        }
        return options;
    }
}
