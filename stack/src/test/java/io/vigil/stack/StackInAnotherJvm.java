package io.vigil.stack;

import java.nio.file.Path;

/**
 * The main class of a JVM that starts a Kafka-only stack and runs until it is terminated, as {@code
 * vigil up} would: the lifecycle ITCase sends it SIGTERM (what Ctrl-C does) and checks that the
 * shutdown hook stopped the broker.
 */
public final class StackInAnotherJvm {

    static final String UP = "STACK UP";

    private StackInAnotherJvm() {}

    /** Argument: the data folder. */
    public static void main(String[] args) throws InterruptedException {
        LocalStack.builder().dataDir(Path.of(args[0])).withKafka().build().start();
        System.out.println(UP);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
