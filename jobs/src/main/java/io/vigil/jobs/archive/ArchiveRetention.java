package io.vigil.jobs.archive;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.plugin.PluginUtils;
import org.apache.flink.util.Preconditions;

/**
 * Deletes the archive's day partitions once their whole day is older than a maximum age. Through
 * Flink's {@link FileSystem}, so {@code file://} and {@code s3://} archives are pruned alike.
 *
 * <pre>{@code
 * ArchiveRetention.Result result =
 *         ArchiveRetention.builder()
 *                 .basePath("s3://vigil-archive/prod") // the job's vigil.archive.path
 *                 .maxAge(Duration.ofDays(365))
 *                 .dryRun(true)
 *                 .build()
 *                 .run();
 * }</pre>
 *
 * <p>It looks at {@code <base>/<dataset>/day=YYYY-MM-DD} only, and deletes nothing whose name is
 * not exactly that pattern of a real date: other folders and files are listed as skipped and left
 * alone. A partition with a file that {@code FileSink} is still writing (an in-progress file
 * changed within {@link #IN_PROGRESS_GRACE}) is kept for the next run, since deleting it under the
 * running job could fail the job's next commit.
 *
 * <p>On the command line ({@link #main}), it reads Flink's {@code config.yaml} from {@code
 * FLINK_CONF_DIR} and file-system plugins from {@code FLINK_PLUGINS_DIR}, like Flink's own tools:
 *
 * <pre>
 * java -cp "vigil-jobs.jar:$FLINK_HOME/lib/*" io.vigil.jobs.archive.ArchiveRetention \
 *     --path s3://vigil-archive/prod --max-age P365D --dry-run
 * </pre>
 */
public final class ArchiveRetention {
    /** A year, the retention of the archive the fleet-monitoring requirements ask for. */
    public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(365);

    /**
     * How long an in-progress file keeps its partition from being deleted. The job closes every
     * file at each checkpoint, so a live one is minutes old at most; older ones are orphans of a
     * failed attempt, which Flink never resumes nor removes.
     */
    static final Duration IN_PROGRESS_GRACE = Duration.ofDays(1);

    static final String USAGE =
            "usage: ArchiveRetention --path <archive base path> [--max-age P365D] [--dry-run]";

    private final Path basePath;
    private final Duration maxAge;
    private final Clock clock;
    private final boolean dryRun;
    private final PrintStream out;

    private ArchiveRetention(Builder builder) {
        this.basePath = builder.basePath;
        this.maxAge = builder.maxAge;
        this.clock = builder.clock;
        this.dryRun = builder.dryRun;
        this.out = builder.out;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Deletes (or, in a dry run, lists) every expired partition, printing each and a summary.
     *
     * @throws FileNotFoundException if the base path does not exist: a mistyped path must not look
     *     like an archive with nothing to delete
     * @throws IOException if listing or deleting fails; partitions deleted before stay deleted
     */
    public Result run() throws IOException {
        FileSystem fs = basePath.getFileSystem();
        if (!fs.exists(basePath)) {
            throw new FileNotFoundException("no archive at " + basePath);
        }
        Instant now = clock.instant();
        Instant cutoff = now.minus(maxAge);
        Instant busySince = now.minus(IN_PROGRESS_GRACE);
        out.printf(
                Locale.ROOT,
                "%s partitions under %s whose day ended before %s (max age %s)."
                        + " Only folders named day=YYYY-MM-DD are ever deleted.%n",
                dryRun ? "Dry run: would delete" : "Deleting",
                basePath,
                cutoff.truncatedTo(ChronoUnit.SECONDS),
                describe(maxAge));

        List<Partition> expired = new ArrayList<>();
        int kept = 0;
        int skipped = 0;
        for (FileStatus dataset : sortedChildren(fs, basePath)) {
            if (!dataset.isDir()) {
                out.printf("skipped %s: not a dataset folder%n", dataset.getPath());
                skipped++;
                continue;
            }
            for (FileStatus entry : sortedChildren(fs, dataset.getPath())) {
                Optional<LocalDate> day =
                        entry.isDir()
                                ? ArchiveLayout.dayOf(entry.getPath().getName())
                                : Optional.empty();
                if (day.isEmpty()) {
                    out.printf(
                            "skipped %s: not a day=YYYY-MM-DD partition, left alone%n",
                            entry.getPath());
                    skipped++;
                    continue;
                }
                if (endOf(day.get()).isAfter(cutoff)) {
                    kept++;
                    continue;
                }
                Contents contents = contentsOf(fs, entry.getPath(), busySince);
                if (contents.inProgress()) {
                    out.printf(
                            "kept %s: a file in it is still being written, retry later%n",
                            entry.getPath());
                    kept++;
                    continue;
                }
                if (!dryRun && !fs.delete(entry.getPath(), true)) {
                    throw new IOException("could not delete " + entry.getPath());
                }
                Partition partition = new Partition(entry.getPath(), day.get(), contents.bytes());
                expired.add(partition);
                out.printf(
                        Locale.ROOT,
                        "%s %s (%,d bytes)%n",
                        dryRun ? "would delete" : "deleted",
                        partition.path(),
                        partition.bytes());
            }
        }
        Result result = new Result(List.copyOf(expired), kept, skipped, dryRun);
        out.printf(
                Locale.ROOT,
                "%s %d partitions, %,d bytes; kept %d younger or busy partitions; skipped %d"
                        + " entries that are not day partitions.%n",
                dryRun ? "Dry run: would have deleted" : "Deleted",
                result.deleted().size(),
                result.bytes(),
                kept,
                skipped);
        return result;
    }

    /** P365D as "365 days", not Duration's "PT8760H". */
    private static String describe(Duration age) {
        return age.toSeconds() % 86_400 == 0 ? age.toDays() + " days" : age.toString();
    }

    /** The first instant after the day, so a partition expires only when all of it has. */
    private static Instant endOf(LocalDate day) {
        return day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    private static List<FileStatus> sortedChildren(FileSystem fs, Path folder) throws IOException {
        FileStatus[] children = fs.listStatus(folder);
        if (children == null) {
            return List.of();
        }
        return Arrays.stream(children)
                .sorted(Comparator.comparing(status -> status.getPath().getName()))
                .toList();
    }

    /** Size of a folder's files, and whether one of them was in progress after {@code since}. */
    private static Contents contentsOf(FileSystem fs, Path folder, Instant since)
            throws IOException {
        long bytes = 0;
        boolean inProgress = false;
        for (FileStatus child : sortedChildren(fs, folder)) {
            if (child.isDir()) {
                Contents nested = contentsOf(fs, child.getPath(), since);
                bytes += nested.bytes();
                inProgress |= nested.inProgress();
            } else {
                bytes += child.getLen();
                inProgress |=
                        ArchiveLayout.isInProgress(child.getPath().getName())
                                && child.getModificationTime() > since.toEpochMilli();
            }
        }
        return new Contents(bytes, inProgress);
    }

    /**
     * The command: {@code --path <base> [--max-age P365D] [--dry-run]}. Exits 0 when done, 1 when
     * the archive could not be read or a partition not deleted, 2 on wrong arguments.
     */
    public static void main(String[] args) {
        // Flink's own file systems and plugins (s3://, ...), configured as on the cluster.
        Configuration flink = GlobalConfiguration.loadConfiguration();
        FileSystem.initialize(flink, PluginUtils.createPluginManagerFromRootFolder(flink));
        System.exit(run(args, Clock.systemUTC(), System.out, System.err));
    }

    /** {@link #main} without the process: parses, runs, and returns the exit code. */
    static int run(String[] args, Clock clock, PrintStream out, PrintStream err) {
        ArchiveRetention retention;
        try {
            retention = fromArgs(args, clock, out);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.println(USAGE);
            return 2;
        }
        try {
            retention.run();
            return 0;
        } catch (IOException e) {
            err.printf("archive retention failed: %s%n", e);
            return 1;
        }
    }

    private static ArchiveRetention fromArgs(String[] args, Clock clock, PrintStream out) {
        String path = null;
        Duration maxAge = DEFAULT_MAX_AGE;
        boolean dryRun = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dry-run" -> dryRun = true;
                case "--path" -> path = valueOf(args, ++i, "--path");
                case "--max-age" -> maxAge = durationOf(valueOf(args, ++i, "--max-age"));
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Preconditions.checkArgument(path != null, "missing --path");
        return builder().basePath(path).maxAge(maxAge).dryRun(dryRun).clock(clock).out(out).build();
    }

    private static String valueOf(String[] args, int index, String name) {
        Preconditions.checkArgument(
                index < args.length && !args[index].startsWith("--"), "%s needs a value", name);
        return args[index];
    }

    private static Duration durationOf(String value) {
        try {
            return Duration.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    "--max-age must be an ISO-8601 duration such as P365D, got " + value);
        }
    }

    /** What a run deleted (or would have, in a dry run). */
    public record Result(List<Partition> deleted, int kept, int skipped, boolean dryRun) {
        /** Bytes of the deleted partitions' files. */
        public long bytes() {
            return deleted.stream().mapToLong(Partition::bytes).sum();
        }
    }

    /** A day partition of one dataset, with the size of its files. */
    public record Partition(Path path, LocalDate day, long bytes) {}

    private record Contents(long bytes, boolean inProgress) {}

    /** Builds an {@link ArchiveRetention}; only the base path is required. */
    public static final class Builder {
        private Path basePath;
        private Duration maxAge = DEFAULT_MAX_AGE;
        private Clock clock = Clock.systemUTC();
        private boolean dryRun;
        private PrintStream out = System.out;

        private Builder() {}

        /** The archive's base path, as the job's {@code vigil.archive.path}. */
        public Builder basePath(String basePath) {
            this.basePath = new Path(Objects.requireNonNull(basePath, "basePath"));
            return this;
        }

        /** How old a day must be, all of it, to be deleted; at least a day. */
        public Builder maxAge(Duration maxAge) {
            this.maxAge = maxAge;
            return this;
        }

        /** Where "today" comes from. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** List what would be deleted, and delete nothing. */
        public Builder dryRun(boolean dryRun) {
            this.dryRun = dryRun;
            return this;
        }

        /** Where each partition and the summary are printed. */
        public Builder out(PrintStream out) {
            this.out = out;
            return this;
        }

        public ArchiveRetention build() {
            Preconditions.checkNotNull(basePath, "basePath is required");
            Preconditions.checkNotNull(maxAge, "maxAge");
            Preconditions.checkNotNull(clock, "clock");
            Preconditions.checkNotNull(out, "out");
            // The job still writes today's and yesterday's partitions (late samples); a shorter
            // age is far more likely a typo (PT365H?) than a wish.
            Preconditions.checkArgument(
                    maxAge.compareTo(Duration.ofDays(1)) >= 0,
                    "the max age must be at least a day (P1D), got %s",
                    maxAge);
            Preconditions.checkArgument(
                    basePath.isAbsolute(), "the archive path must be absolute, got %s", basePath);
            return new ArchiveRetention(this);
        }
    }
}
