package io.vigil.jobs.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveRetentionTest {
    /** "Today" of every test: 365 days back is 2025-11-25T10:00Z. */
    private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @TempDir Path archive;

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    @BeforeEach
    void anArchiveOfOldAndNewDaysAndStrayEntries() throws IOException {
        // Expired: all of the day is more than 365 days old.
        part("samples/day=2024-02-29/dc=fra1/part-a-0.avro", 100);
        part("samples/day=2025-11-23/dc=fra1/part-a-1.avro", 10);
        part("samples/day=2025-11-23/dc=unknown/part-b-0.avro", 20);
        part("samples/day=2025-11-24/dc=ams2/part-a-2.avro", 30);
        part("reports/day=2025-01-01/part-c-0.avro", 5);
        // Kept: 2025-11-25 is only partly older than 365 days.
        part("samples/day=2025-11-25/dc=fra1/part-a-3.avro", 40);
        part("samples/day=2026-11-24/dc=fra1/part-a-4.avro", 50);
        part("samples/day=2026-11-25/dc=fra1/part-a-5.avro", 60);
        // Old, but not exactly day=YYYY-MM-DD of a real date, or not a folder.
        part("samples/backup-day=2020-01-01/part-x.avro", 1);
        part("samples/day=2020-1-1/part-x.avro", 1);
        part("samples/day=2020-02-30/part-x.avro", 1);
        part("samples/DAY=2020-01-01/part-x.avro", 1);
        part("samples/day=2020-01-01", 1);
        part("README.txt", 1);
    }

    @Test
    void deletesExactlyThePartitionsWhoseWholeDayIsOlderThanTheMaxAge() throws IOException {
        ArchiveRetention.Result result = retention(false).run();

        assertThat(result.deleted())
                .extracting(p -> relative(p.path()))
                .containsExactly(
                        "reports/day=2025-01-01",
                        "samples/day=2024-02-29",
                        "samples/day=2025-11-23",
                        "samples/day=2025-11-24");
        assertThat(result.deleted())
                .extracting(ArchiveRetention.Partition::day)
                .containsExactly(
                        LocalDate.of(2025, 1, 1),
                        LocalDate.of(2024, 2, 29),
                        LocalDate.of(2025, 11, 23),
                        LocalDate.of(2025, 11, 24));
        assertThat(result.bytes()).isEqualTo(5 + 100 + 10 + 20 + 30);
        assertThat(result.kept()).isEqualTo(3);
        assertThat(result.skipped()).isEqualTo(6);
        assertThat(remainingFiles())
                .containsExactlyInAnyOrder(
                        "samples/day=2025-11-25/dc=fra1/part-a-3.avro",
                        "samples/day=2026-11-24/dc=fra1/part-a-4.avro",
                        "samples/day=2026-11-25/dc=fra1/part-a-5.avro",
                        "samples/backup-day=2020-01-01/part-x.avro",
                        "samples/day=2020-1-1/part-x.avro",
                        "samples/day=2020-02-30/part-x.avro",
                        "samples/DAY=2020-01-01/part-x.avro",
                        "samples/day=2020-01-01",
                        "README.txt");
        assertThat(Files.exists(archive.resolve("samples/day=2025-11-23"))).isFalse();
    }

    @Test
    void aDryRunListsTheSamePartitionsAndDeletesNothing() throws IOException {
        List<String> before = remainingFiles();

        ArchiveRetention.Result result = retention(true).run();

        assertThat(result.dryRun()).isTrue();
        assertThat(result.deleted())
                .extracting(p -> relative(p.path()))
                .containsExactly(
                        "reports/day=2025-01-01",
                        "samples/day=2024-02-29",
                        "samples/day=2025-11-23",
                        "samples/day=2025-11-24");
        assertThat(result.bytes()).isEqualTo(165);
        assertThat(remainingFiles()).isEqualTo(before);
        assertThat(output())
                .contains("Dry run")
                .contains("would delete " + uri("samples/day=2025-11-23") + " (30 bytes)")
                .contains("Dry run: would have deleted 4 partitions, 165 bytes")
                .doesNotContainPattern("(?m)^deleted ");
    }

    @Test
    void printsEachDeletedPartitionAndASummary() throws IOException {
        retention(false).run();

        assertThat(output())
                .contains("Only folders named day=YYYY-MM-DD are ever deleted")
                .contains("deleted " + uri("samples/day=2024-02-29") + " (100 bytes)")
                .contains("deleted " + uri("samples/day=2025-11-24") + " (30 bytes)")
                .contains("Deleted 4 partitions, 165 bytes")
                .doesNotContain("day=2025-11-25 (")
                .doesNotContain("day=2026-11-25 (");
    }

    @Test
    void saysWhatItLeftAloneBecauseItIsNoDayPartition() throws IOException {
        retention(false).run();

        assertThat(output())
                .contains(
                        "skipped "
                                + uri("samples/day=2020-02-30")
                                + ": not a day=YYYY-MM-DD partition")
                .contains("skipped " + uri("samples/day=2020-1-1") + ": not a day=")
                .contains("skipped " + uri("samples/backup-day=2020-01-01") + ": not a day=")
                .contains("skipped " + uri("samples/day=2020-01-01") + ": not a day=")
                .contains("skipped " + uri("README.txt") + ": not a dataset folder");
    }

    @Test
    void keepsAnExpiredPartitionWhileAFileInItIsBeingWritten() throws IOException {
        part("samples/day=2024-03-01/dc=fra1/.part-a-9.avro.inprogress.1234", 7);
        Files.setLastModifiedTime(
                archive.resolve("samples/day=2024-03-01/dc=fra1/.part-a-9.avro.inprogress.1234"),
                FileTime.from(NOW.minusSeconds(30)));

        ArchiveRetention.Result result = retention(false).run();

        assertThat(result.deleted())
                .extracting(p -> relative(p.path()))
                .doesNotContain("samples/day=2024-03-01");
        assertThat(archive.resolve("samples/day=2024-03-01/dc=fra1")).isDirectory();
        assertThat(output()).contains("kept " + uri("samples/day=2024-03-01") + ": a file in it");
    }

    @Test
    void deletesAPartitionWhoseOnlyInProgressFileIsAnOrphanOfAFailedAttempt() throws IOException {
        part("samples/day=2024-03-01/dc=fra1/.part-a-9.avro.inprogress.1234", 7);
        Files.setLastModifiedTime(
                archive.resolve("samples/day=2024-03-01/dc=fra1/.part-a-9.avro.inprogress.1234"),
                FileTime.from(NOW.minus(Duration.ofDays(1)).minusSeconds(1)));

        ArchiveRetention.Result result = retention(false).run();

        assertThat(result.deleted())
                .extracting(p -> relative(p.path()))
                .contains("samples/day=2024-03-01");
        assertThat(archive.resolve("samples/day=2024-03-01")).doesNotExist();
    }

    @Test
    void aShorterMaxAgeDeletesMore() throws IOException {
        ArchiveRetention.Result result =
                ArchiveRetention.builder()
                        .basePath(archive.toUri().toString())
                        .maxAge(Duration.ofDays(1))
                        .clock(CLOCK)
                        .out(new PrintStream(printed, true, StandardCharsets.UTF_8))
                        .build()
                        .run();

        // Yesterday ended 10 h ago: still younger than a day.
        assertThat(result.deleted())
                .extracting(ArchiveRetention.Partition::day)
                .contains(LocalDate.of(2025, 11, 25))
                .doesNotContain(LocalDate.of(2026, 11, 24), LocalDate.of(2026, 11, 25));
    }

    @Test
    void refusesAMissingArchiveInsteadOfReportingNothingToDo() {
        ArchiveRetention missing =
                ArchiveRetention.builder()
                        .basePath(archive.resolve("no-such-folder").toUri().toString())
                        .clock(CLOCK)
                        .build();

        assertThatThrownBy(missing::run).isInstanceOf(FileNotFoundException.class);
    }

    @Test
    void refusesAMaxAgeBelowADayOrARelativePath() {
        assertThatThrownBy(
                        () ->
                                ArchiveRetention.builder()
                                        .basePath(archive.toUri().toString())
                                        .maxAge(Duration.ofHours(23))
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least a day");
        assertThatThrownBy(() -> ArchiveRetention.builder().basePath("archive/samples").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("absolute");
    }

    @Test
    void theCommandLineRunsADryRun() throws IOException {
        List<String> before = remainingFiles();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();

        int exitCode =
                ArchiveRetention.run(
                        new String[] {
                            "--path", archive.toUri().toString(), "--max-age", "P365D", "--dry-run"
                        },
                        CLOCK,
                        new PrintStream(printed, true, StandardCharsets.UTF_8),
                        new PrintStream(errors, true, StandardCharsets.UTF_8));

        assertThat(exitCode).isZero();
        assertThat(errors.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(output()).contains("Dry run: would have deleted 4 partitions, 165 bytes");
        assertThat(remainingFiles()).isEqualTo(before);
    }

    @Test
    void theCommandLineDeletesWithTheDefaultMaxAge() throws IOException {
        int exitCode = commandLine("--path", archive.toUri().toString());

        assertThat(exitCode).isZero();
        assertThat(output()).contains("Deleted 4 partitions, 165 bytes");
        assertThat(archive.resolve("samples/day=2025-11-24")).doesNotExist();
    }

    @Test
    void theCommandLineRejectsWrongArguments() throws IOException {
        String path = archive.toUri().toString();
        List<String> before = remainingFiles();

        assertThat(commandLine()).isEqualTo(2);
        assertThat(commandLine("--path")).isEqualTo(2);
        assertThat(commandLine("--path", path, "--max-age", "365")).isEqualTo(2);
        assertThat(commandLine("--path", path, "--max-age", "PT1H")).isEqualTo(2);
        assertThat(commandLine("--path", path, "--maxage", "P1D")).isEqualTo(2);
        assertThat(commandLine("--path", archive.resolve("nope").toUri().toString())).isEqualTo(1);
        assertThat(remainingFiles()).isEqualTo(before);
    }

    private int commandLine(String... args) {
        return ArchiveRetention.run(
                args,
                CLOCK,
                new PrintStream(printed, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    private ArchiveRetention retention(boolean dryRun) {
        return ArchiveRetention.builder()
                .basePath(archive.toUri().toString())
                .maxAge(Duration.parse("P365D"))
                .clock(CLOCK)
                .dryRun(dryRun)
                .out(new PrintStream(printed, true, StandardCharsets.UTF_8))
                .build();
    }

    private void part(String relativePath, int bytes) throws IOException {
        Path file = archive.resolve(relativePath);
        Files.createDirectories(file.getParent());
        Files.write(file, new byte[bytes]);
    }

    private List<String> remainingFiles() throws IOException {
        try (Stream<Path> files = Files.walk(archive)) {
            return files.filter(Files::isRegularFile)
                    .map(f -> archive.relativize(f).toString())
                    .sorted()
                    .toList();
        }
    }

    private String relative(org.apache.flink.core.fs.Path path) {
        return archive.relativize(Path.of(path.toUri().getPath())).toString();
    }

    /** How Flink's file system prints a path under the archive. */
    private String uri(String relativePath) {
        return "file:" + archive.resolve(relativePath);
    }

    private String output() {
        return printed.toString(StandardCharsets.UTF_8);
    }
}
