package io.vigil.cli;

import io.vigil.stack.LocalStack;
import io.vigil.stack.state.ProcessRecord;
import io.vigil.stack.state.Role;
import io.vigil.stack.state.StackState;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the running local stack's Kafka and Cassandra listen, read from the state file that {@code
 * vigil up} writes, for the commands that talk to a stack started in another terminal.
 *
 * @param kafkaBootstrapServers host:port of the broker
 * @param cassandra the CQL contact point
 */
record RunningStack(String kafkaBootstrapServers, InetSocketAddress cassandra) {

    /** The data centre the local stack's Cassandra node is in. */
    String cassandraDatacenter() {
        return LocalStack.CASSANDRA_LOCAL_DATACENTER;
    }

    /** The stack recorded in {@code dataDir}, if it runs; otherwise says why on the console. */
    static Optional<RunningStack> find(Path dataDir) {
        Optional<StackState> state = StackState.read(dataDir);
        if (state.isEmpty()) {
            Console.say("no local stack recorded in %s; start one with ./vigil up", dataDir);
            return Optional.empty();
        }
        Optional<RunningStack> stack = of(state.get());
        if (stack.isEmpty()) {
            Console.say(
                    "the local stack in %s has no running %s; see ./vigil status",
                    dataDir, port(state.get(), Role.KAFKA).isEmpty() ? "Kafka" : "Cassandra");
        }
        return stack;
    }

    /** The stack a state file records, if its Kafka and Cassandra run; says nothing. */
    static Optional<RunningStack> of(StackState state) {
        Optional<Integer> kafka = port(state, Role.KAFKA);
        Optional<Integer> cassandra = port(state, Role.CASSANDRA);
        if (kafka.isEmpty() || cassandra.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(
                new RunningStack(
                        "127.0.0.1:" + kafka.get(),
                        new InetSocketAddress("127.0.0.1", cassandra.get())));
    }

    /**
     * The notifier of the stack recorded in {@code dataDir}, if it runs; otherwise says why on the
     * console. Its API listens on the loopback port recorded as its main port.
     */
    static Optional<RecordedNotifier> notifier(Path dataDir) {
        Optional<StackState> state = StackState.read(dataDir);
        if (state.isEmpty()) {
            Console.say(
                    "no local stack recorded in %s; start one with ./vigil up, or give the"
                            + " notifier's address with --api URL",
                    dataDir);
            return Optional.empty();
        }
        Optional<RecordedNotifier> notifier = RecordedNotifier.of(state.get());
        if (notifier.isEmpty()) {
            Console.say(
                    "the local stack in %s has no running notifier; see ./vigil status, or give the"
                            + " notifier's address with --api URL",
                    dataDir);
        }
        return notifier;
    }

    /**
     * A running notifier as stack.json records it.
     *
     * @param api the base URI of its API, e.g. {@code http://127.0.0.1:40111}
     * @param process its record: pid, start time, log
     */
    record RecordedNotifier(URI api, ProcessRecord process) {

        /** The live notifier of a recorded stack, if it has one. */
        static Optional<RecordedNotifier> of(StackState state) {
            return state.processes().stream()
                    .filter(process -> process.role() == Role.NOTIFIER)
                    .filter(ProcessRecord::isAlive)
                    .filter(process -> process.mainPortNumber().isPresent())
                    .map(
                            process ->
                                    new RecordedNotifier(
                                            LocalNotifier.apiUri(
                                                    process.mainPortNumber().getAsInt()),
                                            process))
                    .findFirst();
        }
    }

    private static Optional<Integer> port(StackState state, Role role) {
        return state.processes().stream()
                .filter(process -> process.role() == role)
                .filter(ProcessRecord::isAlive)
                .map(ProcessRecord::mainPortNumber)
                .filter(port -> port.isPresent())
                .map(port -> port.getAsInt())
                .findFirst();
    }
}
