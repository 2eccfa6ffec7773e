package io.vigil.cli;

import io.vigil.stack.state.ProcessRecord;
import io.vigil.stack.state.StackState;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code vigil down}: stops everything a previous {@code vigil up} started, whether that {@code up}
 * still runs in another terminal or died and left its processes behind.
 */
@Command(name = "down", description = "Stop every process of the local stack.")
final class DownCommand implements Callable<Integer> {
    private static final Duration GRACE = Duration.ofSeconds(20);

    @ParentCommand VigilCli cli;

    @Override
    public Integer call() {
        Optional<StackState> state = StackState.read(cli.dataDir());
        if (state.isEmpty()) {
            Console.say("nothing to stop: no local stack recorded in %s", cli.dataDir());
            return 0;
        }
        // A running `vigil up` stops its own stack on SIGTERM (its shutdown hook); let it.
        ProcessHandle.of(state.get().ownerPid())
                .filter(owner -> owner.pid() != ProcessHandle.current().pid())
                .ifPresent(
                        owner -> {
                            Console.say("asking vigil up (pid %d) to stop", owner.pid());
                            owner.destroy();
                            owner.onExit()
                                    .orTimeout(
                                            GRACE.toSeconds() * 3,
                                            java.util.concurrent.TimeUnit.SECONDS)
                                    .exceptionally(e -> owner)
                                    .join();
                        });
        // Whatever is still recorded (an `up` that was killed, or one that did not finish) goes
        // now.
        List<ProcessRecord> stopped = StackState.stopAll(cli.dataDir(), GRACE);
        stopped.forEach(
                process -> Console.say("stopped %s (pid %d)", process.name(), process.pid()));
        Console.say("local stack stopped");
        return 0;
    }
}
