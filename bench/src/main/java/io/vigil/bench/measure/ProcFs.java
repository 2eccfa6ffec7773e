package io.vigil.bench.measure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * CPU time and memory of processes and their threads, read from Linux's {@code /proc}: the counters
 * {@code top} is computed from, so that their difference over a period is exactly the CPU a process
 * used in it, whatever happened in between.
 */
public final class ProcFs {
    /**
     * Kernel clock ticks per second (USER_HZ), the unit of utime and stime. The kernel's ABI fixes
     * it at 100 on x86 and arm64 Linux, which is what {@code getconf CLK_TCK} answers there.
     */
    public static final double TICKS_PER_SECOND = 100;

    private static final Path PROC = Path.of("/proc");

    private ProcFs() {}

    /** One thread: its name as the kernel knows it (at most 15 characters) and its CPU ticks. */
    public record ThreadSample(long tid, String name, long ticks) {}

    /** One process: user+system CPU ticks of all its threads, resident memory, and each thread. */
    public record ProcessSample(long pid, long ticks, long rssBytes, List<ThreadSample> threads) {}

    /** The fields of a {@code stat} line that matter here. */
    record Stat(String name, long ticks) {}

    /**
     * Reads a process and its threads.
     *
     * @return empty if the process does not exist (any more)
     */
    public static Optional<ProcessSample> sample(long pid) {
        Path dir = PROC.resolve(Long.toString(pid));
        Optional<Stat> stat = readStat(dir.resolve("stat"));
        if (stat.isEmpty()) {
            return Optional.empty();
        }
        List<ThreadSample> threads = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(dir.resolve("task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                // A thread may end between listing and reading; it is then simply not counted.
                readStat(task.resolve("stat"))
                        .ifPresent(
                                t ->
                                        threads.add(
                                                new ThreadSample(
                                                        Long.parseLong(
                                                                task.getFileName().toString()),
                                                        t.name(),
                                                        t.ticks())));
            }
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(String.format("Cannot list the threads of %s", pid), e);
        }
        return Optional.of(
                new ProcessSample(pid, stat.get().ticks(), rssBytes(dir), List.copyOf(threads)));
    }

    /**
     * Ticks all CPUs of the machine spent busy since boot: user, nice, system, irq, softirq and
     * steal from the first line of {@code /proc/stat} (idle and iowait are not busy).
     */
    public static long machineBusyTicks() {
        try {
            String cpu = Files.readAllLines(PROC.resolve("stat"), StandardCharsets.US_ASCII).get(0);
            String[] f = cpu.trim().split("\\s+");
            // cpu user nice system idle iowait irq softirq steal guest guest_nice; guest time is
            // already counted in user.
            return Long.parseLong(f[1])
                    + Long.parseLong(f[2])
                    + Long.parseLong(f[3])
                    + Long.parseLong(f[6])
                    + Long.parseLong(f[7])
                    + Long.parseLong(f[8]);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read /proc/stat", e);
        }
    }

    /** Number of CPUs the machine has online. */
    public static int cpus() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** The 1, 5 and 15 minute load averages, as {@code uptime} prints them. */
    public static String loadAverage() {
        try {
            String[] f = Files.readString(PROC.resolve("loadavg")).trim().split("\\s+");
            return String.join(" ", f[0], f[1], f[2]);
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static Optional<Stat> readStat(Path file) {
        try {
            return Optional.of(parseStat(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            // ESRCH when the thread exited between the directory listing and the read.
            return Optional.empty();
        }
    }

    /**
     * Parses a {@code stat} line. The name sits in parentheses and may itself contain spaces and
     * parentheses (Flink names threads after operators), so fields are counted from the last ')'.
     */
    static Stat parseStat(String line) {
        int open = line.indexOf('(');
        int close = line.lastIndexOf(')');
        String name = line.substring(open + 1, close);
        String[] fields = line.substring(close + 2).trim().split(" ");
        // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        return new Stat(name, ticks);
    }

    private static long rssBytes(Path dir) {
        try {
            for (String line : Files.readAllLines(dir.resolve("status"), StandardCharsets.UTF_8)) {
                if (line.startsWith("VmRSS:")) {
                    String[] f = line.trim().split("\\s+");
                    return Long.parseLong(f[1]) * 1024;
                }
            }
        } catch (IOException e) {
            // The process ended: no memory.
        }
        return 0;
    }
}
