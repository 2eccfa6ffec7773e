package io.vigil.connectors.testing;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.clusterframework.types.ResourceID;
import org.apache.flink.runtime.executiongraph.ExecutionAttemptID;
import org.apache.flink.runtime.metrics.groups.TaskManagerMetricGroup;
import org.apache.flink.runtime.metrics.groups.TaskMetricGroup;
import org.apache.flink.runtime.metrics.util.TestingMetricRegistry;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;

/**
 * Real Flink metric groups for an operator test harness that record every counter registered, so a
 * test reads counts back by their name below the operator, for example {@code
 * rejectedSamples.invalid-name}.
 *
 * <p>The harness's default metric group discards everything; this one goes through the same {@code
 * addGroup} and {@code counter} code as a TaskManager, so a misspelt group shows up here. Shared
 * with the jobs' tests through this module's test jar.
 *
 * <pre>{@code
 * RecordedOperatorMetrics metrics = new RecordedOperatorMetrics();
 * harness = new OneInputStreamOperatorTestHarness<>(operator, metrics.environment());
 * ...
 * assertThat(metrics.count("rejectedSamples.invalid-name")).isEqualTo(1);
 * }</pre>
 */
public final class RecordedOperatorMetrics implements AutoCloseable {
    /** Logical scope of an operator's group, as reporters see it. */
    private static final String OPERATOR_SCOPE = "taskmanager.job.task.operator.";

    private final Map<String, Counter> counters = new TreeMap<>();
    private final MockEnvironment environment;

    public RecordedOperatorMetrics() {
        TestingMetricRegistry registry =
                TestingMetricRegistry.builder()
                        .setRegisterConsumer(
                                (metric, name, group) -> {
                                    if (metric instanceof Counter counter) {
                                        String scope = group.getLogicalScope(s -> s, '.');
                                        counters.put(scope + "." + name, counter);
                                    }
                                })
                        .build();
        TaskMetricGroup task =
                TaskManagerMetricGroup.createTaskManagerMetricGroup(
                                registry, "localhost", ResourceID.generate())
                        .addJob(new JobID(), "test job")
                        .addTask(ExecutionAttemptID.randomId(), "test task");
        environment = new MockEnvironmentBuilder().setMetricGroup(task).build();
    }

    /** The environment to build the harness with. */
    public MockEnvironment environment() {
        return environment;
    }

    /** The names of the operator's counters, relative to the operator. */
    public Set<String> counterNames() {
        Map<String, Counter> ofOperator = new TreeMap<>();
        counters.forEach(
                (name, counter) -> {
                    if (name.startsWith(OPERATOR_SCOPE)) {
                        ofOperator.put(name.substring(OPERATOR_SCOPE.length()), counter);
                    }
                });
        return ofOperator.keySet();
    }

    /**
     * The count of an operator counter by its name relative to the operator.
     *
     * @throws AssertionError if the operator registered no such counter
     */
    public long count(String name) {
        Counter counter = counters.get(OPERATOR_SCOPE + name);
        if (counter == null) {
            throw new AssertionError(
                    "no counter " + name + " below the operator; there are " + counterNames());
        }
        return counter.getCount();
    }

    @Override
    public void close() throws Exception {
        environment.close();
    }
}
