package io.vigil.connectors.chunks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * How small realistic chunks get: 120 samples of typical series, with the bytes per sample (header
 * included) printed as a table so that format changes show their effect. The fixtures are seeded,
 * so the sizes are deterministic; the bounds are the measured figures plus a little slack, and
 * where the decimal format wins they also hold the format, so that losing it fails a test.
 */
class ChunkCompressionTest {

    private static final long T0 = Instant.parse("2025-03-01T00:00:00Z").toEpochMilli();
    private static final long TEN_SECONDS = 10_000;
    private static final int SAMPLES = 120;
    private static final int JITTER_MILLIS = 50;
    private static final long SEED = 20150831L;

    /** The typical gauge: a random walk rounded to 2 decimals, scraped every 10 s ± 50 ms. */
    static Series typicalGauge() {
        return series(jitteredTimestamps(), randomWalk(50.0, 0.5, 2));
    }

    @Test
    void constantGaugeCostsTwoBitsPerSample() {
        Series constant = series(regularTimestamps(), constant(0.75));

        // 2 header bytes; the first sample raw (128 bits); the second '1110' + 18 bits for its
        // delta of 10 000 ms and '0' for its value; then '0' + '0' for each of the other 118.
        long bits = 128 + (4 + 18 + 1) + 2 * (SAMPLES - 2);
        assertThat(constant.encode()).hasSize(2 + (int) ((bits + 7) / 8));
        assertThat(bytesPerSample(constant)).isLessThan(0.45);
    }

    @Test
    void typicalGaugesTakeAtMostOnePointFiveBytesPerSample() {
        // The target of the raw sample store. Measured: 1.058, 1.092, 0.983 and 0.617.
        assertDecimalAndAtMost(loadAverage(), 1.1);
        assertDecimalAndAtMost(memoryBytes(), 1.15);
        assertDecimalAndAtMost(temperature(), 1.05);
        assertDecimalAndAtMost(processCount(), 0.65);
    }

    @Test
    void decimalsCostAFifthOfTheirXorCoding() {
        // A value rounded to decimals that changes at every scrape is Gorilla's worst case short
        // of random bits: 0.01 has no exact binary form, so the low mantissa bits of two such
        // values differ almost at random and each XOR keeps ~45 meaningful bits. As integers
        // they differ by a few dozen. Measured with jitter: 8.06 and 8.18 bytes per sample as
        // XORs, 2.79 and 2.59 as decimals.
        for (double[] values : List.of(randomWalk(50.0, 0.5, 2), randomWalk(0.4, 0.02, 3))) {
            Series jittered = series(jitteredTimestamps(), values);
            byte[] xor = jittered.encoder().toByteArray(ChunkFormat.VERSION_XOR);
            assertThat(xor.length / (double) SAMPLES).isGreaterThan(8.0);
            assertThat(bytesPerSample(jittered)).isLessThan(2.85);
            assertThat(jittered.encode()[0]).isEqualTo((byte) ChunkFormat.VERSION_DECIMAL);
        }
    }

    @Test
    void fullPrecisionValuesStayXorCoded() {
        Series ratio = series(regularTimestamps(), fullPrecisionRatio());

        assertThat(ratio.encoder().toByteArray(ChunkFormat.VERSION_DECIMAL)).isNull();
        assertThat(ratio.encode()[0]).isEqualTo((byte) ChunkFormat.VERSION_XOR);
        assertThat(bytesPerSample(ratio)).isLessThan(7.1);
    }

    @Test
    void repeatsMakeAnIdleCpuRatioCheaperThanAChangingOne() {
        // Two thirds of the samples change by 1 or 2 hundredths, 6 bits each; the repeats cost
        // 1. (As XORs, 0.01, 0.02 and 0.03 differ in their exponents: 40 bits a change.)
        assertThat(bytesPerSample(series(regularTimestamps(), idleCpuRatio())))
                .isLessThan(bytesPerSample(series(regularTimestamps(), randomWalk(0.4, 0.02, 3))))
                .isLessThan(0.85);
    }

    @Test
    void slowlyVaryingGaugeCostsLittleMoreThanItsChanges() {
        assertThat(bytesPerSample(series(regularTimestamps(), slowlyVarying()))).isLessThan(0.6);
    }

    @Test
    void counterCostsUnderTwoBytesPerSample() {
        // Integers growing by 0 to 100: 10 to 12 bits a difference.
        assertThat(bytesPerSample(series(regularTimestamps(), counter()))).isLessThan(1.75);
    }

    @Test
    void regularTimestampsCostOneBitAndJitterAboutTenMore() {
        assertThat(timestampBitsPerSample(regularTimestamps())).isLessThan(2.0);
        assertThat(timestampBitsPerSample(jitteredTimestamps())).isBetween(9.0, 13.0);
    }

    @Test
    void printsBytesPerSample() {
        System.out.printf(
                "Chunk sizes for %d samples every 10 s (header included), bytes per sample, and the"
                        + " format chosen (XOR = version 1, decimal = version 2):%n",
                SAMPLES);
        System.out.printf(
                "  %-52s %8s %8s %14s%n", "values", "XOR only", "regular", "±50 ms jitter");
        row("load average, random walk, 2 decimals", loadAverage());
        row("memory in bytes, whole 4096-byte pages", memoryBytes());
        row("temperature, millidegrees / 1000, 0.125 °C steps", temperature());
        row("constant gauge", constant(0.75));
        row("process count, integer", processCount());
        row("ratio of two counters, full precision", fullPrecisionRatio());
        row("random walk, 2 decimals, noisy (typical gauge)", randomWalk(50.0, 0.5, 2));
        row("CPU ratio, random walk in [0, 1], 3 decimals", randomWalk(0.4, 0.02, 3));
        row("CPU ratio of an idle host, 0.01 to 0.03", idleCpuRatio());
        row("slowly varying, 1 decimal", slowlyVarying());
        row("counter, +0..100 per sample", counter());
        row("random doubles (incompressible)", randomDoubles());
        System.out.printf(
                "  timestamps alone, bits per sample: %.2f regular, %.2f with ±50 ms jitter%n",
                timestampBitsPerSample(regularTimestamps()),
                timestampBitsPerSample(jitteredTimestamps()));
    }

    private static void row(String name, double[] values) {
        Series regular = series(regularTimestamps(), values);
        System.out.printf(
                "  %-52s %8.3f %8.3f %14.3f  %s%n",
                name,
                (double) regular.encoder().toByteArray(ChunkFormat.VERSION_XOR).length / SAMPLES,
                bytesPerSample(regular),
                bytesPerSample(series(jitteredTimestamps(), values)),
                regular.encode()[0] == ChunkFormat.VERSION_DECIMAL ? "decimal" : "XOR");
    }

    private static void assertDecimalAndAtMost(double[] values, double bytesPerSample) {
        Series regular = series(regularTimestamps(), values);

        assertThat(regular.encode()[0]).isEqualTo((byte) ChunkFormat.VERSION_DECIMAL);
        assertThat(bytesPerSample(regular)).isLessThanOrEqualTo(bytesPerSample);
    }

    private static double bytesPerSample(Series series) {
        byte[] encoded = series.encode();
        // Every fixture must also come back intact, or its size would mean nothing.
        assertThat(Chunk.decode(encoded).timestamps()).containsExactly(series.timestamps());
        assertThat(Series.rawBits(Chunk.decode(encoded).values()))
                .containsExactly(series.valueBits());
        return (double) encoded.length / series.size();
    }

    /**
     * What the timestamps cost: the chunk of a constant series, minus its header, its first value
     * (64 bits) and the '0' of every later value. Includes the padding of the last byte.
     */
    private static double timestampBitsPerSample(long[] timestamps) {
        Series constant = series(timestamps, constant(0.75));
        long valueBits = Long.SIZE + (SAMPLES - 1);
        long headerBits = 8L * (1 + ChunkFormat.varintLength(SAMPLES));
        return (8.0 * constant.encode().length - headerBits - valueBits) / SAMPLES;
    }

    private static Series series(long[] timestamps, double[] values) {
        return new Series(timestamps, values);
    }

    private static long[] regularTimestamps() {
        return timestamps(i -> T0 + i * TEN_SECONDS);
    }

    /** Every sample off its 10 s grid by up to ±50 ms, as scrapers on a busy host are. */
    private static long[] jitteredTimestamps() {
        Random random = new Random(SEED);
        return timestamps(
                i -> T0 + i * TEN_SECONDS + random.nextInt(2 * JITTER_MILLIS + 1) - JITTER_MILLIS);
    }

    private static double[] constant(double value) {
        return values(i -> value);
    }

    /** Gaussian steps, rounded as exporters print them, clamped at 0 so ratios stay ratios. */
    private static double[] randomWalk(double start, double step, int decimals) {
        Random random = new Random(SEED);
        double scale = Math.pow(10, decimals);
        double[] walk = {start};
        return values(
                i -> {
                    walk[0] = Math.max(0, walk[0] + random.nextGaussian() * step);
                    return Math.round(walk[0] * scale) / scale;
                });
    }

    /** A load average as /proc/loadavg prints it: 2 decimals, drifting by a few hundredths. */
    private static double[] loadAverage() {
        return randomWalk(1.5, 0.05, 2);
    }

    /**
     * Resident memory in bytes, always whole pages: two scrapes in three see a change of a few
     * dozen pages.
     */
    private static double[] memoryBytes() {
        Random random = new Random(SEED);
        long[] pages = {524_288};
        return values(
                i -> {
                    if (random.nextInt(3) != 0) {
                        pages[0] += Math.round(random.nextGaussian() * 30);
                    }
                    return pages[0] * 4096.0;
                });
    }

    /**
     * A CPU temperature as hwmon reports it, in millidegrees with 0.125 °C resolution, divided by
     * 1000 by the exporter: a slow swing of ±1.5 °C with ±0.25 °C of noise.
     */
    private static double[] temperature() {
        Random random = new Random(SEED);
        return values(
                i -> {
                    double millidegrees =
                            45_000 + 1_500 * Math.sin(i / 30.0) + random.nextGaussian() * 250;
                    return Math.round(millidegrees / 125) * 125 / 1000.0;
                });
    }

    /** The number of processes on a host: now and then a few start or end. */
    private static double[] processCount() {
        Random random = new Random(SEED);
        double[] processes = {312};
        return values(
                i -> {
                    if (random.nextInt(4) == 0) {
                        processes[0] += random.nextInt(7) - 3;
                    }
                    return processes[0];
                });
    }

    /**
     * A ratio a recording rule computes from two counters, e.g. busy over total jiffies: every bit
     * of the mantissa is significant, so there is no decimal to find.
     */
    private static double[] fullPrecisionRatio() {
        Random random = new Random(SEED);
        return values(
                i -> {
                    int total = 1_000 + random.nextInt(7);
                    return (300 + random.nextInt(200)) / (double) total;
                });
    }

    /** An idle host's CPU ratio at 2 decimals: 0.01, 0.03, 0.01, 0.02, ... */
    private static double[] idleCpuRatio() {
        Random random = new Random(SEED);
        return values(i -> (1 + random.nextInt(3)) / 100.0);
    }

    /** A temperature-like value drifting by a few tenths over the chunk. */
    private static double[] slowlyVarying() {
        return values(i -> Math.round((21.0 + 0.5 * Math.sin(i / 20.0)) * 10) / 10.0);
    }

    /** A request counter: integral, growing by 0 to 100 per scrape. */
    private static double[] counter() {
        Random random = new Random(SEED);
        double[] total = {1_234_567};
        return values(i -> total[0] += random.nextInt(101));
    }

    private static double[] randomDoubles() {
        Random random = new Random(SEED);
        return values(i -> random.nextDouble());
    }

    private static long[] timestamps(LongUnaryOperator at) {
        long[] timestamps = new long[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            timestamps[i] = at.applyAsLong(i);
        }
        return timestamps;
    }

    private static double[] values(DoubleUnaryOperator at) {
        double[] values = new double[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            values[i] = at.applyAsDouble(i);
        }
        return values;
    }
}
