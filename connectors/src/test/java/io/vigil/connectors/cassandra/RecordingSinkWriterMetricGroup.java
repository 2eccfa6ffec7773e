package io.vigil.connectors.cassandra;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.OperatorIOMetricGroup;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/**
 * A {@link SinkWriterMetricGroup} that keeps what a writer registers, so tests can read the
 * standard send counters and the writer's own counters and gauges back.
 */
final class RecordingSinkWriterMetricGroup extends UnregisteredMetricsGroup
        implements SinkWriterMetricGroup {

    private final Counter numRecordsSend = new SimpleCounter();
    private final Counter numRecordsSendErrors = new SimpleCounter();
    private final Counter numRecordsOutErrors = new SimpleCounter();
    private final Counter numBytesSend = new SimpleCounter();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Gauge<?>> gauges = new ConcurrentHashMap<>();

    @Override
    public Counter counter(String name) {
        return counter(name, new SimpleCounter());
    }

    @Override
    public <C extends Counter> C counter(String name, C counter) {
        counters.put(name, counter);
        return counter;
    }

    @Override
    public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
        gauges.put(name, gauge);
        return gauge;
    }

    @Override
    public OperatorIOMetricGroup getIOMetricGroup() {
        return UnregisteredMetricsGroup.createOperatorIOMetricGroup();
    }

    @Override
    public Counter getNumRecordsOutErrorsCounter() {
        return numRecordsOutErrors;
    }

    @Override
    public Counter getNumRecordsSendErrorsCounter() {
        return numRecordsSendErrors;
    }

    @Override
    public Counter getNumRecordsSendCounter() {
        return numRecordsSend;
    }

    @Override
    public Counter getNumBytesSendCounter() {
        return numBytesSend;
    }

    @Override
    public void setCurrentSendTimeGauge(Gauge<Long> currentSendTimeGauge) {
        gauges.put("currentSendTime", currentSendTimeGauge);
    }

    long count(String counterName) {
        Counter counter = counters.get(counterName);
        return counter == null ? 0 : counter.getCount();
    }

    Object gaugeValue(String gaugeName) {
        Gauge<?> gauge = gauges.get(gaugeName);
        return gauge == null ? null : gauge.getValue();
    }
}
