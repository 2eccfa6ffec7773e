package io.vigil.jobs.archive;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the archive keeps what, in one place because the job that writes partitions and the
 * retention command that deletes them must agree on every name.
 *
 * <pre>
 * &lt;base&gt;/samples/day=2026-11-25/dc=fra1/part-&lt;uuid&gt;-&lt;n&gt;.avro
 * </pre>
 *
 * <p>Partition folders are Hive-style {@code key=value}, so Spark, Trino or DuckDB discover {@code
 * day} and {@code dc} as columns without a catalogue.
 */
public final class ArchiveLayout {
    /** The dataset folder of raw samples under the archive's base path. */
    public static final String SAMPLES = "samples";

    /** Part file names: {@code part-<uuid>-<n>.avro}, where uuid names the writing subtask. */
    public static final String PART_PREFIX = "part";

    public static final String PART_SUFFIX = ".avro";

    /** The data centre of samples without a usable {@code dc} label. */
    public static final String UNKNOWN_DC = "unknown";

    static final String DAY_KEY = "day=";
    static final String DC_KEY = "dc=";

    /**
     * Exactly {@code day=YYYY-MM-DD}. Retention deletes nothing else, so a stray folder (a manual
     * backup, another tool's output) under the base path is never touched.
     */
    private static final Pattern DAY_PARTITION = Pattern.compile("day=(\\d{4}-\\d{2}-\\d{2})");

    private ArchiveLayout() {}

    /** The folder name of a day's partition, {@code day=2026-11-25}. */
    static String dayPartition(LocalDate day) {
        return DAY_KEY + DateTimeFormatter.ISO_LOCAL_DATE.format(day);
    }

    /** The folder name of a data centre's partition within a day, {@code dc=fra1}. */
    static String dcPartition(String safeDc) {
        return DC_KEY + safeDc;
    }

    /**
     * The day of a partition folder name, or empty when the name is not exactly {@code
     * day=YYYY-MM-DD} of a real date ({@code day=2026-02-30} is not).
     */
    static Optional<LocalDate> dayOf(String folderName) {
        Matcher matcher = DAY_PARTITION.matcher(folderName);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalDate.parse(matcher.group(1)));
        } catch (DateTimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether a file is one that {@code FileSink} is still writing: {@code
     * .part-<uuid>-<n>.avro.inprogress.<uuid>}. On S3 such files do not exist as objects (they are
     * pending multipart uploads), so this only protects file systems that show them.
     */
    static boolean isInProgress(String fileName) {
        return fileName.startsWith(".") && fileName.contains(".inprogress");
    }
}
