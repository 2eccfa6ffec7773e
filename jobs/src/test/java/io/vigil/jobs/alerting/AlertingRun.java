package io.vigil.jobs.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.bench.SampleWriter;
import io.vigil.connectors.kafka.KafkaConnectors;
import io.vigil.connectors.kafka.KafkaSettings;
import io.vigil.schemas.MetricBatches;
import io.vigil.schemas.Rule;
import io.vigil.schemas.Topics;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * One test run of the alerting job on the test's MiniCluster, with the local stack's Kafka and
 * Cassandra: the samples from the run's start, its own consumer groups, and a wait until the job
 * has read a rule and a sample of the run.
 */
final class AlertingRun {
    private AlertingRun() {}

    /**
     * Starts the job.
     *
     * @param run the run's name, in consumer groups
     * @param startedAt the samples are read from this time (ms since the epoch)
     * @param options the job's options, the stack's Cassandra among them
     */
    static JobClient start(KafkaSettings kafka, String run, long startedAt, Configuration options)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(2_000);
        new AlertingJob(
                        KafkaConnectors.source(
                                kafka,
                                Topics.METRIC_SAMPLES,
                                "it-alerting-" + run,
                                OffsetsInitializer.timestamp(startedAt)),
                        AlertingJobMain.rulesSource(kafka, "it-alerting-rules-" + run),
                        AlertingJobMain.sinks(kafka, options),
                        options)
                .build(env);
        return env.executeAsync("alerting on a MiniCluster");
    }

    /**
     * Waits until the job evaluates: writes a rule that fires on any sample of its metric and sends
     * samples (from event time {@code t0}, one a second) until its alert arrives.
     *
     * @return the warm-up rule, whose one alert is among the run's events
     */
    static Rule awaitReady(
            String run,
            long t0,
            AlertFeed feed,
            RuleWriter rules,
            SampleWriter samples,
            Duration wait)
            throws Exception {
        Rule warm = RuleWriter.rule(run, "warm", "it_warm_" + run).setThreshold(0).build();
        rules.write(warm);
        long warmTime = t0;
        while (!feed.has(e -> e.getRuleId().equals(warm.getId()))) {
            samples.send(
                    MetricBatches.builder(Map.of(), warmTime).add("it_warm_" + run, 1.0).build());
            samples.flush();
            warmTime += 1_000;
            feed.poll(Duration.ofMillis(500));
            assertThat(warmTime - t0).as("the job fires nothing").isLessThan(wait.toMillis());
        }
        return warm;
    }
}
