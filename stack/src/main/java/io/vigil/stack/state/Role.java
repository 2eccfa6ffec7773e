package io.vigil.stack.state;

/** What a process of the local stack is, as recorded in the state file. */
public enum Role {
    KAFKA,
    CASSANDRA,
    FLINK_JOBMANAGER,
    FLINK_TASKMANAGER,
    /** Vigil's notifier, started on the stack by {@code vigil up}; its main port is its API. */
    NOTIFIER;

    /**
     * Whether the process stores data others read and write (Kafka, Cassandra). Stores stop last,
     * so that Flink jobs and the notifier do not spend their last seconds failing over because the
     * store went away first.
     */
    public boolean isStore() {
        return this == KAFKA || this == CASSANDRA;
    }
}
