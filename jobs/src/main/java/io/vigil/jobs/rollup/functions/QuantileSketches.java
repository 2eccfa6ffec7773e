package io.vigil.jobs.rollup.functions;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import com.datadoghq.sketch.ddsketch.mapping.LogarithmicMapping;
import com.datadoghq.sketch.ddsketch.store.CollapsingLowestDenseStore;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The mergeable quantile sketches of rollups: DDSketch (Masson, Rim and Lee, VLDB 2019) with 1 %
 * relative accuracy, in its serialised form.
 *
 * <p>Every quantile read from a sketch is within 1 % of the true value of that rank, for any
 * distribution, and sketches merge exactly: the hourly sketch of a series is the merge of its 60
 * minute sketches, and a rack's sketch the merge of its hosts'. The bins are capped at 2048 (the
 * lowest collapse first), so a sketch stays under a few kilobytes even for values spanning many
 * orders of magnitude; the high quantiles operators alert on keep their accuracy.
 *
 * <p>Sketches travel in rollups and live in keyed state (the hourly and group cascades) as bytes:
 * Flink serialises them without Kryo, and with RocksDB state every access is a (de)serialisation
 * anyway.
 */
public final class QuantileSketches {
    /** Relative accuracy of every quantile. */
    public static final double RELATIVE_ACCURACY = 0.01;

    private static final int MAX_BINS = 2048;

    private QuantileSketches() {}

    private static DDSketch empty() {
        return new DDSketch(
                new LogarithmicMapping(RELATIVE_ACCURACY),
                () -> new CollapsingLowestDenseStore(MAX_BINS));
    }

    private static DDSketch decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return empty();
        }
        try {
            return DDSketch.decode(
                    ByteArrayInput.wrap(bytes), () -> new CollapsingLowestDenseStore(MAX_BINS));
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt quantile sketch in state", e);
        }
    }

    /**
     * sketches-java's own compact encoding, index mapping included (the blob is self-describing).
     */
    private static byte[] encode(DDSketch sketch) {
        GrowingByteArrayOutput output = GrowingByteArrayOutput.withDefaultInitialCapacity();
        try {
            sketch.encode(output, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a quantile sketch", e);
        }
        return output.trimmedCopy();
    }

    /**
     * The sketch of the first {@code count} values, all finite (a window's values, sketched once
     * when it closes).
     */
    public static byte[] of(double[] values, int count) {
        if (count == 0) {
            return new byte[0];
        }
        DDSketch sketch = empty();
        // The mapping covers magnitudes up to about 3e290; beyond that the sketch would throw, and
        // a job must never fail on data. Such a value is counted at the largest magnitude the
        // sketch tracks: its rank stays right, a quantile that falls on it is capped there (the
        // rollup's max keeps the exact value).
        double limit = sketch.getIndexMapping().maxIndexableValue();
        for (int i = 0; i < count; i++) {
            double value = values[i];
            sketch.accept(Math.abs(value) > limit ? Math.copySign(limit, value) : value);
        }
        return encode(sketch);
    }

    /** The merge of two sketches (either may be empty). */
    public static byte[] merge(byte[] a, byte[] b) {
        if (a == null || a.length == 0) {
            return b;
        }
        if (b == null || b.length == 0) {
            return a;
        }
        DDSketch merged = decode(a);
        merged.mergeWith(decode(b));
        return encode(merged);
    }

    /** The values at the given quantiles, NaN for each when the sketch is empty. */
    public static double[] quantiles(byte[] sketch, double... quantiles) {
        DDSketch decoded = decode(sketch);
        if (decoded.isEmpty()) {
            double[] none = new double[quantiles.length];
            java.util.Arrays.fill(none, Double.NaN);
            return none;
        }
        return decoded.getValuesAtQuantiles(quantiles);
    }
}
