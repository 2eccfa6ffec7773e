package io.vigil.stack.process;

import java.time.Duration;

/**
 * A stand-in for Kafka or Cassandra in the process machinery tests: a tiny JVM that behaves as told
 * by its first argument.
 *
 * <ul>
 *   <li>{@code ready}: says {@value #READY} after a moment and runs until stopped
 *   <li>{@code exit <code>}: prints 40 numbered lines and exits with the code
 *   <li>{@code stubborn}: like {@code ready}, but takes a minute to react to SIGTERM
 *   <li>{@code parent}: starts a {@code sleep} child, prints {@code child <pid>}, then as {@code
 *       ready}
 * </ul>
 */
public final class FakeService {

    static final String READY = "FAKE SERVICE READY";

    private FakeService() {}

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "ready" -> runUntilStopped();
            case "exit" -> {
                for (int line = 1; line <= 40; line++) {
                    System.out.println("line " + line);
                }
                System.exit(Integer.parseInt(args[1]));
            }
            case "stubborn" -> {
                Runtime.getRuntime()
                        .addShutdownHook(new Thread(() -> sleep(Duration.ofMinutes(1))));
                runUntilStopped();
            }
            case "parent" -> {
                Process child = new ProcessBuilder("sleep", "300").start();
                System.out.println("child " + child.pid());
                runUntilStopped();
            }
            default -> throw new IllegalArgumentException("Unknown mode " + args[0]);
        }
    }

    private static void runUntilStopped() {
        sleep(Duration.ofMillis(300));
        System.out.println(READY);
        System.out.flush();
        sleep(Duration.ofHours(1));
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
