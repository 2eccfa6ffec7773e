package io.vigil.jobs.rollup.functions;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;

/**
 * Takes what an operator emitted out of its test harness, so that each step of a test asserts only
 * what that step produced.
 */
final class HarnessOutputs {
    private HarnessOutputs() {}

    /** The records of the main output since the last call, in order. */
    static <OUT> List<OUT> drain(OneInputStreamOperatorTestHarness<?, OUT> harness) {
        List<OUT> records = harness.extractOutputValues();
        harness.getOutput().clear();
        return records;
    }

    /** The records of a side output since the last call, in order. */
    static <T> List<T> drain(AbstractStreamOperatorTestHarness<?> harness, OutputTag<T> tag) {
        List<T> records = new ArrayList<>();
        Queue<StreamRecord<T>> output = harness.getSideOutput(tag);
        if (output == null) {
            return records;
        }
        output.forEach(record -> records.add(record.getValue()));
        output.clear();
        return records;
    }
}
