package io.vigil.bench.measure;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The CPU counters of a set of named processes, and of the machine as a whole, at one moment. Two
 * snapshots give the CPU each process (and each of its threads) used in between: {@link
 * #since(CpuSnapshot)}.
 *
 * <pre>{@code
 * CpuSnapshot start = CpuSnapshot.take(Map.of("kafka", kafkaPid, "generator", myPid));
 * ... // the measured period
 * CpuReport used = CpuSnapshot.take(sameProcesses).since(start);
 * }</pre>
 */
public final class CpuSnapshot {
    private final long nanos;
    private final long machineBusyTicks;
    private final Map<String, ProcFs.ProcessSample> processes;

    private CpuSnapshot(
            long nanos, long machineBusyTicks, Map<String, ProcFs.ProcessSample> processes) {
        this.nanos = nanos;
        this.machineBusyTicks = machineBusyTicks;
        this.processes = processes;
    }

    /**
     * Reads the counters now.
     *
     * @param pidsByName the processes to follow, by the name the report gives them; one that does
     *     not run is left out (and shows up as missing in the report)
     */
    public static CpuSnapshot take(Map<String, Long> pidsByName) {
        Map<String, ProcFs.ProcessSample> samples = new LinkedHashMap<>();
        long machine = ProcFs.machineBusyTicks();
        pidsByName.forEach((name, pid) -> ProcFs.sample(pid).ifPresent(s -> samples.put(name, s)));
        return new CpuSnapshot(System.nanoTime(), machine, Collections.unmodifiableMap(samples));
    }

    /**
     * What each process used from {@code earlier} to this snapshot. Threads are grouped by name
     * with their numbers dropped ({@code GC Thread#0} and {@code GC Thread#1} become {@code GC
     * Thread#N}); a thread that ended in between is left out of the threads, not of its process.
     */
    public CpuReport since(CpuSnapshot earlier) {
        List<ProcessCpu> used = new ArrayList<>();
        for (Map.Entry<String, ProcFs.ProcessSample> entry : processes.entrySet()) {
            ProcFs.ProcessSample now = entry.getValue();
            Optional<ProcFs.ProcessSample> before =
                    Optional.ofNullable(earlier.processes.get(entry.getKey()))
                            .filter(b -> b.pid() == now.pid());
            long ticks = now.ticks() - before.map(ProcFs.ProcessSample::ticks).orElse(0L);
            used.add(
                    new ProcessCpu(
                            entry.getKey(),
                            now.pid(),
                            ticks / ProcFs.TICKS_PER_SECOND,
                            now.rssBytes(),
                            threadsSince(now, before)));
        }
        return new CpuReport(
                (nanos - earlier.nanos) / 1e9,
                (machineBusyTicks - earlier.machineBusyTicks) / ProcFs.TICKS_PER_SECOND,
                List.copyOf(used));
    }

    private static List<ThreadCpu> threadsSince(
            ProcFs.ProcessSample now, Optional<ProcFs.ProcessSample> before) {
        Map<Long, Long> ticksBefore = new HashMap<>();
        before.ifPresent(b -> b.threads().forEach(t -> ticksBefore.put(t.tid(), t.ticks())));
        Map<String, Long> byName = new HashMap<>();
        for (ProcFs.ThreadSample thread : now.threads()) {
            long ticks = thread.ticks() - ticksBefore.getOrDefault(thread.tid(), 0L);
            byName.merge(groupName(thread.name()), ticks, Long::sum);
        }
        return byName.entrySet().stream()
                .filter(e -> e.getValue() > 0)
                .map(e -> new ThreadCpu(e.getKey(), e.getValue() / ProcFs.TICKS_PER_SECOND))
                .sorted((a, b) -> Double.compare(b.cpuSeconds(), a.cpuSeconds()))
                .toList();
    }

    /** A thread's name without its number, so that a pool's threads add up. */
    static String groupName(String threadName) {
        return threadName.replaceAll("(?<=[#\\-_ ])\\d+|\\d+$", "N");
    }

    /** CPU a process used in a period, and its memory at the end. */
    public record ProcessCpu(
            String name, long pid, double cpuSeconds, long rssBytes, List<ThreadCpu> threads) {

        /**
         * CPU of the JIT compiler threads (HotSpot's C1 and C2): a JVM's warm-up cost, which fades
         * in a long-running process; 0 for a process that is not a JVM.
         */
        public double jitSeconds() {
            return threads.stream()
                    .filter(t -> t.name().matches("C[12] CompilerThre.*"))
                    .mapToDouble(ThreadCpu::cpuSeconds)
                    .sum();
        }
    }

    /** CPU the threads of one name used in a period. */
    public record ThreadCpu(String name, double cpuSeconds) {}

    /**
     * CPU used in a period of {@code seconds}: by each followed process, and by the whole machine
     * (all processes, the followed ones included).
     */
    public record CpuReport(double seconds, double machineBusySeconds, List<ProcessCpu> processes) {

        /** CPU seconds of all followed processes together. */
        public double totalSeconds() {
            return processes.stream().mapToDouble(ProcessCpu::cpuSeconds).sum();
        }

        /** CPU seconds of the followed processes whose names are given. */
        public double secondsOf(List<String> names) {
            return processes.stream()
                    .filter(p -> names.contains(p.name()))
                    .mapToDouble(ProcessCpu::cpuSeconds)
                    .sum();
        }

        /**
         * CPU seconds that processes not followed here used meanwhile (other engineers' builds and
         * tests on a shared machine): the measure of how disturbed a measurement was.
         */
        public double otherSeconds() {
            return Math.max(0, machineBusySeconds - totalSeconds());
        }

        public Optional<ProcessCpu> process(String name) {
            return processes.stream().filter(p -> p.name().equals(name)).findFirst();
        }
    }
}
