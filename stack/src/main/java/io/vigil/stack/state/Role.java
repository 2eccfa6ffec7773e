package io.vigil.stack.state;

/** What a process of the local stack is, as recorded in the state file. */
public enum Role {
    KAFKA,
    CASSANDRA,
    FLINK_JOBMANAGER,
    FLINK_TASKMANAGER
}
