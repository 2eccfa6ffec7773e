package io.vigil.jobs.alerting.functions;

import io.vigil.jobs.alerting.records.RuleState;
import org.apache.flink.streaming.api.TimerService;

/**
 * The one processing-time timer that each key of the evaluators keeps (a host, a group): its time
 * lives in the key's state, so that moving it deletes the old timer instead of piling up timers,
 * and a timer that fires at another time than the state's knows it is stale.
 */
final class WakeUps {
    private static final long SECOND = 1_000;

    private WakeUps() {}

    /**
     * A deadline rounded up to the whole second: a key that reports several times a second then
     * moves its timer once a second.
     */
    static long roundUpToSecond(long time) {
        return Math.floorDiv(time + SECOND - 1, SECOND) * SECOND;
    }

    /**
     * Moves the key's timer from {@code current} to {@code wanted} (either may be {@link
     * RuleState#NONE}: no timer) and returns the time to keep in state.
     */
    static long move(TimerService timers, long current, long wanted) {
        if (wanted == current) {
            return current;
        }
        if (current != RuleState.NONE) {
            timers.deleteProcessingTimeTimer(current);
        }
        if (wanted != RuleState.NONE) {
            timers.registerProcessingTimeTimer(wanted);
        }
        return wanted;
    }
}
