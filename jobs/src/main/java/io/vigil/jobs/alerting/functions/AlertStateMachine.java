package io.vigil.jobs.alerting.functions;

import io.vigil.jobs.alerting.records.AlertPhase;
import io.vigil.jobs.alerting.records.RuleState;
import io.vigil.schemas.AlertState;
import io.vigil.schemas.Rule;
import java.util.Optional;

/**
 * The lifecycle of one alert, pending -> firing -> resolved, driven by one evaluated value at a
 * time (a sample's value, a rate, a z-score) in event time.
 *
 * <ul>
 *   <li>An evaluation <em>breaches</em> when the value is on the alerting side of the threshold;
 *       while firing, of the resolve threshold (hysteresis).
 *   <li>The condition <em>holds</em> when the evaluation breaches; with m-of-n, when at least m of
 *       the last n evaluations breached.
 *   <li>Inactive and the condition holds: pending since this evaluation, or firing at once when
 *       {@code for_ms} is 0.
 *   <li>Pending: firing once the condition has held for {@code for_ms} of event time; resolved (the
 *       pending episode ends) as soon as it does not hold.
 *   <li>Firing: resolved once the condition has not held for {@code keep_firing_for_ms}; at the
 *       first evaluation that does not hold when that is 0.
 * </ul>
 *
 * <p>Time only advances with evaluations: a pending alert fires at the first evaluation at or after
 * {@code for_ms}, not in between. Samples arrive every few seconds, and waiting for them keeps the
 * machine a pure function of the samples (identical on every replay).
 */
public final class AlertStateMachine {
    private AlertStateMachine() {}

    /**
     * Advances the state by one evaluation.
     *
     * @return the transition this evaluation causes, if any; the state's {@code sequence} and
     *     {@code startsAt} then describe it
     */
    public static Optional<AlertState> evaluate(
            Rule rule, RuleState state, double value, long timestamp) {
        state.lastValue = value;
        boolean breach =
                state.phase == AlertPhase.FIRING
                        ? Rules.staysActive(rule, value)
                        : Rules.breaches(rule.getComparator(), value, rule.getThreshold());
        boolean holds = record(rule, state, breach);
        switch (state.phase) {
            case INACTIVE:
                if (!holds) {
                    return Optional.empty();
                }
                state.startsAt = timestamp;
                state.sequence = 0;
                if (rule.getForMs() > 0) {
                    return transition(state, AlertPhase.PENDING, AlertState.PENDING);
                }
                return transition(state, AlertPhase.FIRING, AlertState.FIRING);
            case PENDING:
                if (!holds) {
                    return resolve(state);
                }
                if (timestamp - state.startsAt >= rule.getForMs()) {
                    return transition(state, AlertPhase.FIRING, AlertState.FIRING);
                }
                return Optional.empty();
            case FIRING:
            default:
                if (holds) {
                    state.clearedSince = RuleState.NONE;
                    return Optional.empty();
                }
                if (state.clearedSince == RuleState.NONE) {
                    state.clearedSince = timestamp;
                }
                if (timestamp - state.clearedSince >= rule.getKeepFiringForMs()) {
                    return resolve(state);
                }
                return Optional.empty();
        }
    }

    /**
     * Ends the current episode whatever the condition: the series went silent, or the rule was
     * deleted. Empty if no alert is active.
     */
    public static Optional<AlertState> end(RuleState state) {
        return state.isActive() ? resolve(state) : Optional.empty();
    }

    /**
     * Fires at once, whatever came before: an ABSENCE rule, whose condition is the lack of
     * evaluations. Empty if the alert already fires.
     *
     * @param startsAt the start of the episode: when the silence became too long
     */
    public static Optional<AlertState> fire(RuleState state, long startsAt) {
        if (state.phase == AlertPhase.FIRING) {
            return Optional.empty();
        }
        state.startsAt = startsAt;
        state.sequence = 0;
        return transition(state, AlertPhase.FIRING, AlertState.FIRING);
    }

    /**
     * Whether the state can be dropped without changing any future transition: no active alert, and
     * no breach in the m-of-n history (an empty history counts the same breaches).
     */
    public static boolean isIdle(RuleState state) {
        return !state.isActive() && state.breaches == 0;
    }

    /** Records a breach in the m-of-n history; whether the condition holds. */
    private static boolean record(Rule rule, RuleState state, boolean breach) {
        if (!Rules.isMOfN(rule)) {
            return breach;
        }
        int n = rule.getEvaluationsWindow();
        long mask = n == Long.SIZE ? -1L : (1L << n) - 1;
        state.breaches = ((state.breaches << 1) | (breach ? 1 : 0)) & mask;
        state.evaluations = Math.min(state.evaluations + 1, n);
        return Long.bitCount(state.breaches) >= rule.getBreachesRequired();
    }

    private static Optional<AlertState> transition(
            RuleState state, AlertPhase phase, AlertState event) {
        state.phase = phase;
        state.sequence++;
        return Optional.of(event);
    }

    private static Optional<AlertState> resolve(RuleState state) {
        state.phase = AlertPhase.INACTIVE;
        state.clearedSince = RuleState.NONE;
        state.sequence++;
        return Optional.of(AlertState.RESOLVED);
    }
}
