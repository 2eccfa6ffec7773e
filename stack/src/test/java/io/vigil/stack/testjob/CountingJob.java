package io.vigil.stack.testjob;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * A job for the REST client ITCase: counts an endless sequence of numbers in a user metric, slowly
 * enough not to load the machine. The test uploads it in a jar made from this package.
 */
public final class CountingJob {

    /** The user counter of the "Count records" operator. */
    public static final String COUNTER = "vigilStackTestRecords";

    private CountingJob() {}

    /** Arguments: {@code --sleep-ms <milliseconds per record>}. */
    public static void main(String[] args) throws Exception {
        long sleepMillis =
                args.length == 2 && args[0].equals("--sleep-ms") ? Long.parseLong(args[1]) : 1;
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.fromSequence(0, Long.MAX_VALUE)
                .uid("numbers")
                .name("Numbers")
                .map(new CountingMap(sleepMillis))
                .uid("count-records")
                .name("Count records")
                .sinkTo(new DiscardingSink<>())
                .uid("discard")
                .name("Discard");
        env.execute("vigil-stack-counting-job");
    }

    /** Passes numbers on, counting them. */
    static final class CountingMap extends RichMapFunction<Long, Long> {
        private final long sleepMillis;
        private transient Counter counter;

        CountingMap(long sleepMillis) {
            this.sleepMillis = sleepMillis;
        }

        @Override
        public void open(OpenContext openContext) {
            counter = getRuntimeContext().getMetricGroup().counter(COUNTER);
        }

        @Override
        public Long map(Long value) throws InterruptedException {
            Thread.sleep(sleepMillis);
            counter.inc();
            return value;
        }
    }
}
