package io.vigil.bench.pipeline;

import io.vigil.bench.measure.CpuSnapshot.CpuReport;
import java.util.List;

/**
 * What the Prometheus side of a run measured over its measured period.
 *
 * @param version the Prometheus version
 * @param period the measured period
 * @param requestedRate samples per second offered (series / scrape interval)
 * @param targets scrape targets configured
 * @param targetsUp targets whose last scrape succeeded, at the end
 * @param appended samples the TSDB head appended in the period
 * @param fleetAppended of those, the fleet's: without the series Prometheus adds per target and
 *     scrape ({@code up}, {@code scrape_duration_seconds}, {@code scrape_samples_scraped}, {@code
 *     scrape_samples_post_metric_relabeling}, {@code scrape_series_added})
 * @param served samples the exposition server served in the period
 * @param servedBytes bytes of exposition text it served in the period
 * @param headSeries series in the TSDB head at the end
 * @param scrapeDurationP50 median scrape duration over the targets at the end, seconds
 * @param scrapeDurationP99 99th percentile of the same
 * @param walBytes growth of the write-ahead log in the period
 * @param headChunkBytes growth of the memory-mapped head chunks on disk in the period
 * @param cpu CPU of Prometheus and of the exposition server's JVM in the period
 * @param notes anything that went wrong or limits a figure
 */
public record PrometheusFigures(
        String version,
        MeasuredPeriod period,
        double requestedRate,
        int targets,
        int targetsUp,
        long appended,
        long fleetAppended,
        long served,
        long servedBytes,
        long headSeries,
        double scrapeDurationP50,
        double scrapeDurationP99,
        long walBytes,
        long headChunkBytes,
        CpuReport cpu,
        List<String> notes) {

    /** Process name of the JVM that serves the series (the collector side). */
    public static final String EXPOSITION = "exposition JVM";

    public static final String PROMETHEUS = "prometheus";

    /** Series Prometheus adds to every target's scrape. */
    public static final int SERIES_ADDED_PER_TARGET = 5;

    /** Fleet samples appended per second. */
    public double fleetAppendedRate() {
        return fleetAppended / period.seconds();
    }
}
