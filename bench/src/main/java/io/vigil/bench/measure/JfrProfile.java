package io.vigil.bench.measure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * A quick sampling profile of a running JVM with Java Flight Recorder: started through {@code jcmd}
 * (no restart, no agent), then summarised from the recording's execution samples.
 *
 * <pre>{@code
 * Path file = JfrProfile.record(taskManagerPid, Duration.ofSeconds(30), dir.resolve("tm.jfr"));
 * JfrProfile.Summary summary = JfrProfile.summarise(file, 15);
 * }</pre>
 *
 * <p>Execution samples catch threads running Java code (every 10 ms with the {@code profile}
 * settings). Threads inside native code (RocksDB through JNI, compression libraries) are sampled
 * separately as native method samples (every 20 ms); the summary counts those whose top frame is
 * not a known wait, since native samples include threads merely blocked in the kernel (epoll,
 * sleep, park).
 */
public final class JfrProfile {
    /** Parts of native method names that mean a thread waits rather than computes. */
    private static final List<String> WAITING_NATIVE =
            List.of(
                    "epollWait",
                    "EPoll.wait",
                    "EventFD",
                    "Net.poll",
                    "Net.accept",
                    "SocketDispatcher.read",
                    "java.net.",
                    "Thread.sleep",
                    "Object.wait",
                    "Unsafe.park",
                    "java.lang.ref.",
                    "FileInputStream.read",
                    "ProcessHandleImpl.waitForProcessExit");

    private JfrProfile() {}

    /**
     * Records {@code duration} of samples of the JVM with this pid into {@code file} and returns
     * when the file is complete.
     *
     * @throws IOException if jcmd fails or the recording does not appear
     */
    public static Path record(long pid, Duration duration, Path file)
            throws IOException, InterruptedException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.deleteIfExists(file);
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process process =
                new ProcessBuilder(
                                jcmd.toString(),
                                Long.toString(pid),
                                "JFR.start",
                                "name=vigil-bench",
                                "settings=profile",
                                "duration=" + duration.toSeconds() + "s",
                                "filename=" + file.toAbsolutePath())
                        .redirectErrorStream(true)
                        .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.format("jcmd %s JFR.start failed: %s", pid, output));
        }
        // The JVM writes the file when the duration is over; wait for it, and for its size to
        // settle.
        Thread.sleep(duration.toMillis());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long lastSize = -1;
        while (System.nanoTime() < deadline) {
            long size = Files.exists(file) ? Files.size(file) : -1;
            if (size > 0 && size == lastSize) {
                return file;
            }
            lastSize = size;
            Thread.sleep(1000);
        }
        throw new IOException(String.format("No complete JFR recording at %s", file));
    }

    /**
     * Summarises the samples of a recording: the methods on top of the stack (where the time is
     * spent), the libraries anywhere on the stack (who caused it), and the threads.
     *
     * @param top how many entries each list keeps
     */
    public static Summary summarise(Path file, int top) throws IOException {
        Map<String, Long> methods = new HashMap<>();
        Map<String, Long> libraries = new HashMap<>();
        Map<String, Long> threads = new HashMap<>();
        Map<String, Long> nativeMethods = new HashMap<>();
        long javaSamples = 0;
        long nativeSamples = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
            String type = event.getEventType().getName();
            RecordedStackTrace stack = event.getStackTrace();
            if (stack == null || stack.getFrames().isEmpty()) {
                continue;
            }
            String topMethod = method(stack.getFrames().get(0));
            if (type.equals("jdk.ExecutionSample")) {
                javaSamples++;
                methods.merge(topMethod, 1L, Long::sum);
                Set<String> seen = new HashSet<>();
                for (RecordedFrame frame : stack.getFrames()) {
                    if (frame.isJavaFrame() && seen.add(library(frame))) {
                        libraries.merge(library(frame), 1L, Long::sum);
                    }
                }
                threads.merge(threadName(event.getThread("sampledThread")), 1L, Long::sum);
            } else if (type.equals("jdk.NativeMethodSample") && !isWaiting(topMethod)) {
                nativeSamples++;
                nativeMethods.merge(topMethod, 1L, Long::sum);
            }
        }
        return new Summary(
                javaSamples,
                nativeSamples,
                topShares(methods, javaSamples, top),
                topShares(libraries, javaSamples, top),
                topShares(threads, javaSamples, top),
                topShares(nativeMethods, nativeSamples, top));
    }

    private static boolean isWaiting(String method) {
        return WAITING_NATIVE.stream().anyMatch(method::contains);
    }

    private static String method(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }

    /**
     * The library a frame belongs to: the first two package segments ({@code org.rocksdb}, {@code
     * java.util}), three under {@code org.apache} and {@code com.datastax}, four under {@code
     * org.apache.flink} ({@code org.apache.flink.runtime} vs {@code org.apache.flink.streaming}).
     */
    static String library(RecordedFrame frame) {
        return library(frame.getMethod().getType().getName());
    }

    static String library(String className) {
        String[] parts = className.split("\\.");
        int segments = 2;
        if (className.startsWith("org.apache.flink.")) {
            segments = 4;
        } else if (className.startsWith("org.apache.") || className.startsWith("com.datastax.")) {
            segments = 3;
        }
        return String.join(".", List.of(parts).subList(0, Math.min(segments, parts.length - 1)));
    }

    private static String threadName(RecordedThread thread) {
        if (thread == null || thread.getJavaName() == null) {
            return "(unknown)";
        }
        // Flink names task threads "<operators> (1/2)#0": one entry per operator chain.
        return thread.getJavaName()
                .replaceAll(" \\(\\d+/\\d+\\)#\\d+$", "")
                .replaceAll("\\d+$", "N");
    }

    private static List<Share> topShares(Map<String, Long> counts, long total, int top) {
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
                .limit(top)
                .map(e -> new Share(e.getKey(), e.getValue(), 100.0 * e.getValue() / total))
                .toList();
    }

    /** A method, library or thread and its share of the samples. */
    public record Share(String what, long samples, double percent) {}

    /**
     * What a profile found.
     *
     * @param javaSamples execution samples (threads running Java code)
     * @param nativeSamples native method samples of threads computing in native code
     * @param topMethods methods on top of the stack, share of the Java samples
     * @param libraries libraries anywhere on the stack, share of the Java samples (they overlap)
     * @param threads threads, share of the Java samples
     * @param nativeMethods JNI methods on top of the native samples, share of those
     */
    public record Summary(
            long javaSamples,
            long nativeSamples,
            List<Share> topMethods,
            List<Share> libraries,
            List<Share> threads,
            List<Share> nativeMethods) {}
}
