package io.vigil.stack;

import java.nio.file.Path;

/**
 * Where things live in a stack's data folder:
 *
 * <pre>
 * stack.json                   the state file (see StackState)
 * logs/&lt;process&gt;.log           what the process's logging framework writes
 * logs/&lt;process&gt;.out           its stdout and stderr
 * kafka/, cassandra/, flink/   each one's generated configuration and data
 * </pre>
 */
record StackLayout(Path dataDir) {

    StackLayout {
        dataDir = dataDir.toAbsolutePath().normalize();
    }

    Path logs() {
        return dataDir.resolve("logs");
    }

    Path logFile(String processName) {
        return logs().resolve(processName + ".log");
    }

    Path outputFile(String processName) {
        return logs().resolve(processName + ".out");
    }

    /** The folder of one component, e.g. {@code kafka}. */
    Path component(String name) {
        return dataDir.resolve(name);
    }
}
