package io.vigil.stack;

import java.util.Arrays;
import java.util.List;

/**
 * What Flink's {@code BashJavaUtils GET_JM_RESOURCE_PARAMS} / {@code GET_TM_RESOURCE_PARAMS}
 * computes from the configured process memory: the JVM memory options, and the derived memory sizes
 * that the entry point must get as {@code -D key=value} program arguments so that it uses the same
 * split. Flink's bin/*.sh scripts do exactly this.
 *
 * @param jvmParams e.g. {@code [-Xmx469762048, -Xms469762048, -XX:MaxMetaspaceSize=268435456]}
 * @param dynamicProperties e.g. {@code [-D, jobmanager.memory.heap.size=469762048b, -D, ...]}
 */
record BashJavaUtilsResult(List<String> jvmParams, List<String> dynamicProperties) {

    static final String MAIN_CLASS = "org.apache.flink.runtime.util.bash.BashJavaUtils";

    /** Marks result lines; everything else in the output is logging. */
    static final String RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";

    BashJavaUtilsResult {
        jvmParams = List.copyOf(jvmParams);
        dynamicProperties = List.copyOf(dynamicProperties);
    }

    /**
     * Parses the tool's output. Like Flink's scripts, it insists on exactly two result lines:
     * anything else means the tool failed or changed, and guessing would start a mis-sized JVM.
     */
    static BashJavaUtilsResult parse(String output) {
        List<String> results =
                output.lines()
                        .filter(line -> line.startsWith(RESULT_PREFIX))
                        .map(line -> line.substring(RESULT_PREFIX.length()).trim())
                        .toList();
        if (results.size() != 2) {
            throw new StackException(
                    String.format(
                            "Expected 2 lines starting with %s from %s, got %s. Its output:%n%s",
                            RESULT_PREFIX, MAIN_CLASS, results.size(), output));
        }
        return new BashJavaUtilsResult(words(results.get(0)), words(results.get(1)));
    }

    private static List<String> words(String line) {
        return line.isEmpty() ? List.of() : Arrays.asList(line.split("\\s+"));
    }
}
