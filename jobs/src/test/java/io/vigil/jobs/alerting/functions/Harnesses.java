package io.vigil.jobs.alerting.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;

/** What the evaluators' harness tests ask of a harness: its output, and what state it keeps. */
final class Harnesses {
    private Harnesses() {}

    /** The records emitted so far, which are then cleared. */
    static <T> List<T> drain(AbstractStreamOperatorTestHarness<T> harness) {
        List<T> out = harness.extractOutputValues();
        harness.getOutput().clear();
        return out;
    }

    /** Keyed state entries (one per state and key) in the heap backend of the harness. */
    static int keyedStateEntries(AbstractStreamOperatorTestHarness<?> harness) {
        AbstractStreamOperator<?> operator = (AbstractStreamOperator<?>) harness.getOperator();
        return ((HeapKeyedStateBackend<?>) operator.getKeyedStateBackend())
                .numKeyValueStateEntries();
    }

    /** Neither keyed state nor timers are left. */
    static void assertNoStateLeft(AbstractStreamOperatorTestHarness<?> harness) {
        assertThat(keyedStateEntries(harness)).as("keyed state entries").isZero();
        assertThat(harness.numProcessingTimeTimers()).as("processing-time timers").isZero();
        assertThat(harness.numEventTimeTimers()).as("event-time timers").isZero();
    }
}
