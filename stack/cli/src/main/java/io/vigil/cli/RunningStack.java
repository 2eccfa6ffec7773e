package io.vigil.cli;

import io.vigil.stack.LocalStack;
import io.vigil.stack.state.ProcessRecord;
import io.vigil.stack.state.Role;
import io.vigil.stack.state.StackState;
import java.net.InetSocketAddress;
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
        Optional<Integer> kafka = port(state.get(), Role.KAFKA);
        Optional<Integer> cassandra = port(state.get(), Role.CASSANDRA);
        if (kafka.isEmpty() || cassandra.isEmpty()) {
            Console.say(
                    "the local stack in %s has no running %s; see ./vigil status",
                    dataDir, kafka.isEmpty() ? "Kafka" : "Cassandra");
            return Optional.empty();
        }
        return Optional.of(
                new RunningStack(
                        "127.0.0.1:" + kafka.get(),
                        new InetSocketAddress("127.0.0.1", cassandra.get())));
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
