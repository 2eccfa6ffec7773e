package io.vigil.jobs.alerting.functions;

import static io.vigil.jobs.alerting.TestRules.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.jobs.alerting.TestRules;
import io.vigil.jobs.alerting.records.AlertPhase;
import io.vigil.jobs.alerting.records.RuleState;
import io.vigil.schemas.AlertState;
import io.vigil.schemas.Rule;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AlertStateMachineTest {
    private static final long TEN_SECONDS = 10_000;

    /** Feeds values 10 s apart from T0; the transitions, as "state@index". */
    private static List<String> run(Rule rule, RuleState state, double... values) {
        List<String> transitions = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            Optional<AlertState> transition =
                    AlertStateMachine.evaluate(rule, state, values[i], T0 + i * TEN_SECONDS);
            int index = i;
            transition.ifPresent(t -> transitions.add(t + "@" + index));
        }
        return transitions;
    }

    @Test
    void firesAtOnceWithoutForAndResolvesAtTheFirstClearValue() {
        RuleState state = new RuleState(1);
        assertThat(run(TestRules.cpuAbove90().build(), state, 50, 95, 97, 90, 99))
                .containsExactly("FIRING@1", "RESOLVED@3", "FIRING@4");
        assertThat(state.startsAt).isEqualTo(T0 + 4 * TEN_SECONDS);
        assertThat(state.sequence).isEqualTo(1);
    }

    @Test
    void isPendingForForMsThenFires() {
        Rule rule = TestRules.cpuAbove90().setForMs(30_000).build();
        RuleState state = new RuleState(1);
        // Breaches at 0, 10, 20, 30 s: pending at 0 s, firing at 30 s (held 30 s).
        assertThat(run(rule, state, 95, 95, 95, 95)).containsExactly("PENDING@0", "FIRING@3");
        assertThat(state.startsAt).isEqualTo(T0);
        assertThat(state.sequence).isEqualTo(2);
    }

    @Test
    void aPendingAlertThatClearsResolvesWithoutFiring() {
        Rule rule = TestRules.cpuAbove90().setForMs(30_000).build();
        assertThat(run(rule, new RuleState(1), 95, 95, 80, 95))
                .containsExactly("PENDING@0", "RESOLVED@2", "PENDING@3");
    }

    @Test
    void hysteresisKeepsFiringUntilTheResolveThresholdIsCrossed() {
        Rule rule = TestRules.cpuAbove90().setResolveThreshold(80.0).build();
        RuleState state = new RuleState(1);
        // 85 would not fire, but does not resolve either; 80 is not > 80, so it resolves.
        assertThat(run(rule, state, 85, 95, 85, 81, 80, 85))
                .containsExactly("FIRING@1", "RESOLVED@4");
        assertThat(state.phase).isEqualTo(AlertPhase.INACTIVE);
    }

    @Test
    void hysteresisWorksDownwardsForLowerThanRules() {
        Rule rule =
                TestRules.cpuAbove90()
                        .setComparator(io.vigil.schemas.Comparator.LT)
                        .setThreshold(10)
                        .setResolveThreshold(20.0)
                        .build();
        assertThat(run(rule, new RuleState(1), 15, 5, 15, 19, 25))
                .containsExactly("FIRING@1", "RESOLVED@4");
    }

    @Test
    void keepFiringForBridgesShortClears() {
        Rule rule = TestRules.cpuAbove90().setKeepFiringForMs(20_000).build();
        // Clear at 20 s, breach at 30 s (bridged), clear from 40 s: resolves at 60 s.
        assertThat(run(rule, new RuleState(1), 95, 95, 50, 95, 50, 50, 50))
                .containsExactly("FIRING@0", "RESOLVED@6");
    }

    @Test
    void mOfNFiresWhenEnoughOfTheLastEvaluationsBreach() {
        Rule rule = TestRules.cpuAbove90().setBreachesRequired(3).setEvaluationsWindow(5).build();
        RuleState state = new RuleState(1);
        // Breaches at 0, 2, 4: the third is 3 of the last 5.
        assertThat(run(rule, state, 95, 50, 95, 50, 95)).containsExactly("FIRING@4");
        // Then 50: the last 5 are (50, 95, 50, 95, 50), 2 breaches: resolved.
        assertThat(AlertStateMachine.evaluate(rule, state, 50, T0 + 50_000))
                .contains(AlertState.RESOLVED);
        assertThat(AlertStateMachine.isIdle(state)).isFalse();
        // Clear evaluations until the breach at index 4 leaves the last 5: then the state can go.
        for (int i = 6; i < 9; i++) {
            AlertStateMachine.evaluate(rule, state, 50, T0 + i * TEN_SECONDS);
        }
        assertThat(AlertStateMachine.isIdle(state)).isFalse();
        AlertStateMachine.evaluate(rule, state, 50, T0 + 9 * TEN_SECONDS);
        assertThat(AlertStateMachine.isIdle(state)).isTrue();
    }

    @Test
    void mOfNCombinesWithFor() {
        Rule rule =
                TestRules.cpuAbove90()
                        .setBreachesRequired(2)
                        .setEvaluationsWindow(3)
                        .setForMs(20_000)
                        .build();
        // Holds from 10 s (2 of 3), still at 20 s and 30 s (2 of 3): firing at 30 s.
        assertThat(run(rule, new RuleState(1), 95, 95, 50, 95))
                .containsExactly("PENDING@1", "FIRING@3");
    }

    @Test
    void fireAndEndServeAbsence() {
        RuleState state = new RuleState(1);
        assertThat(AlertStateMachine.fire(state, T0)).contains(AlertState.FIRING);
        assertThat(AlertStateMachine.fire(state, T0 + 1)).isEmpty();
        assertThat(state.startsAt).isEqualTo(T0);
        assertThat(AlertStateMachine.end(state)).contains(AlertState.RESOLVED);
        assertThat(AlertStateMachine.end(state)).isEmpty();
        assertThat(state.sequence).isEqualTo(2);
    }
}
