package io.vigil.connectors.chunks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * How small realistic chunks get: 120 samples of typical series, with the bytes per sample (header
 * included) printed as a table so that format changes show their effect. The fixtures are seeded,
 * so the sizes are deterministic; the bounds leave room for encoder tweaks.
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
    void repeatsMakeAnIdleCpuRatioCheaperThanAChangingOne() {
        // Two thirds of the samples change, and 0.01, 0.02 and 0.03 differ in their exponents,
        // so every change costs about 40 bits; the repeats cost 1.
        assertThat(bytesPerSample(series(regularTimestamps(), idleCpuRatio())))
                .isLessThan(bytesPerSample(series(regularTimestamps(), randomWalk(0.4, 0.02, 3))))
                .isLessThan(4.0);
    }

    @Test
    void slowlyVaryingGaugeCostsLittleMoreThanItsChanges() {
        assertThat(bytesPerSample(series(regularTimestamps(), slowlyVarying()))).isLessThan(2.0);
    }

    @Test
    void counterCostsAboutTwoBytesPerSample() {
        assertThat(bytesPerSample(series(regularTimestamps(), counter()))).isLessThan(2.5);
    }

    @Test
    void typicalGaugeStillBeatsRawStorageByHalf() {
        // A value rounded to decimals that changes at every scrape is Gorilla's worst case short
        // of random bits: 0.01 has no exact binary form, so the low mantissa bits of two such
        // values differ almost at random and each XOR keeps ~45 meaningful bits. Raw storage
        // would be 16 bytes per sample.
        assertThat(bytesPerSample(typicalGauge())).isLessThan(8.5);
        assertThat(bytesPerSample(series(jitteredTimestamps(), randomWalk(0.4, 0.02, 3))))
                .isLessThan(8.5);
    }

    @Test
    void regularTimestampsCostOneBitAndJitterAboutTenMore() {
        assertThat(timestampBitsPerSample(regularTimestamps())).isLessThan(2.0);
        assertThat(timestampBitsPerSample(jitteredTimestamps())).isBetween(9.0, 13.0);
    }

    @Test
    void printsBytesPerSample() {
        System.out.printf(
                "Chunk sizes for %d samples every 10 s (header included), bytes per sample:%n",
                SAMPLES);
        System.out.printf("  %-44s %8s %14s%n", "values", "regular", "±50 ms jitter");
        row("constant gauge", constant(0.75));
        row("random walk, 2 decimals (typical gauge)", randomWalk(50.0, 0.5, 2));
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
        System.out.printf(
                "  %-44s %8.3f %14.3f%n",
                name,
                bytesPerSample(series(regularTimestamps(), values)),
                bytesPerSample(series(jitteredTimestamps(), values)));
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
