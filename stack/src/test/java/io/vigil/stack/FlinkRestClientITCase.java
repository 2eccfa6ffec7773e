package io.vigil.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.stack.junit.SharedStackExtension;
import io.vigil.stack.testjob.CountingJob;
import io.vigil.stack.testjob.JobJar;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Uploads, runs, observes and cancels a real job on the shared stack's session cluster. */
@ExtendWith(SharedStackExtension.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class FlinkRestClientITCase {

    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(1);

    private final FlinkRestClient flink;

    FlinkRestClientITCase(LocalStack stack) {
        this.flink = stack.startFlink(1);
    }

    @Test
    void runsAnUploadedJarAndReadsItsMetric(@TempDir Path dir) throws Exception {
        String jarId =
                flink.uploadJar(JobJar.write(CountingJob.class, dir.resolve("counting-job.jar")));
        String jobId =
                flink.runJar(jarId, CountingJob.class.getName(), List.of("--sleep-ms", "1"), 1);
        try {
            flink.waitForJobState(jobId, "RUNNING", JOB_TIMEOUT);

            long counted = awaitMetric(jobId);

            assertThat(counted).isPositive();
            assertThat(flink.sumMetric(jobId, "no such operator", CountingJob.COUNTER)).isZero();
            assertThat(flink.exceptions(jobId)).isEqualTo("(no exceptions)");
        } finally {
            flink.cancel(jobId);
        }
        flink.waitForJobState(jobId, "CANCELED", JOB_TIMEOUT);
    }

    @Test
    void errorsCarryTheResponseBody() {
        assertThatThrownBy(() -> flink.jobState("00000000000000000000000000000000"))
                .isInstanceOfSatisfying(
                        FlinkRestException.class, e -> assertThat(e.statusCode()).isEqualTo(404))
                .hasMessageContaining("GET /jobs/00000000000000000000000000000000")
                .hasMessageContaining("errors");
    }

    /** Metrics reach the REST API with a delay: poll until the counter shows up. */
    private long awaitMetric(String jobId) throws InterruptedException {
        long deadline = System.nanoTime() + JOB_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            long counted = flink.sumMetric(jobId, "Count records", CountingJob.COUNTER);
            if (counted > 0) {
                return counted;
            }
            Thread.sleep(500);
        }
        return 0;
    }
}
