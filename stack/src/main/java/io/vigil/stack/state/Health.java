package io.vigil.stack.state;

/** How a recorded process of the local stack is doing, as {@code vigil status} shows it. */
public enum Health {
    /** The process is alive and its main port accepts TCP connections (or it has none). */
    RUNNING,
    /** The process is alive but its main port does not accept connections: starting or stuck. */
    UNHEALTHY,
    /** The process is gone (or its pid now belongs to another process). */
    DEAD;

    /**
     * Classifies a process.
     *
     * @param alive whether the recorded process still exists
     * @param portOpen whether its main port accepts TCP connections; ignored if it is not alive
     */
    public static Health classify(boolean alive, boolean portOpen) {
        if (!alive) {
            return DEAD;
        }
        return portOpen ? RUNNING : UNHEALTHY;
    }
}
