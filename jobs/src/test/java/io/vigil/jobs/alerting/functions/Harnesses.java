package io.vigil.jobs.alerting.functions;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.jobs.alerting.Descriptors;
import io.vigil.jobs.alerting.records.SeriesState;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
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

    /**
     * The series the rule evaluator keeps state for on a host, read from the backend of its
     * harness. Sets the backend's current key, which the harness sets again at the next element.
     */
    static Set<Long> seriesOf(AbstractStreamOperatorTestHarness<?> harness, long host)
            throws Exception {
        AbstractStreamOperator<?> operator = (AbstractStreamOperator<?>) harness.getOperator();
        KeyedStateBackend<Long> backend = operator.getKeyedStateBackend();
        backend.setCurrentKey(host);
        MapState<Long, SeriesState> series =
                backend.getPartitionedState(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        Descriptors.SERIES);
        Set<Long> ids = new HashSet<>();
        // The backend's own state: null, not empty, for a host without series.
        Iterable<Long> keys = series.keys();
        if (keys != null) {
            keys.forEach(ids::add);
        }
        return ids;
    }

    /** Neither keyed state nor timers are left. */
    static void assertNoStateLeft(AbstractStreamOperatorTestHarness<?> harness) {
        assertThat(keyedStateEntries(harness)).as("keyed state entries").isZero();
        assertThat(harness.numProcessingTimeTimers()).as("processing-time timers").isZero();
        assertThat(harness.numEventTimeTimers()).as("event-time timers").isZero();
    }
}
