package io.vigil.jobs.alerting.functions;

import io.vigil.jobs.alerting.records.PatternSignal;
import io.vigil.schemas.AlertEvent;
import io.vigil.schemas.AlertState;
import io.vigil.schemas.Rule;
import io.vigil.schemas.RuleKind;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.IterativeCondition;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;
import org.apache.flink.util.Collector;

/**
 * The CEP patterns of the alerting job.
 *
 * <p>A pattern is fixed when the job graph is built; rules change while it runs. So the rule kinds
 * get one pattern each, over events that the evaluator has already tagged with their rule ({@link
 * PatternSignal}, keyed by the alert's fingerprint, so one rule on one series), and the conditions
 * read the rule's parameters from the events: how many events make a match ({@code occurrences})
 * and the span they must fall into ({@code window_ms}). The one static bound is {@code
 * within(maxWindow)}, which lets CEP drop partial matches that no rule can complete; rules that
 * would need more are refused when they arrive.
 *
 * <p>The patterns run in event time on the wall clock ({@link WallClockTime}): the signals of one
 * key arrive in the order of the series on its Kafka partition and are stamped as they pass, and
 * every watermark prunes partial matches that can no longer complete, so a fingerprint that goes
 * quiet leaves no state behind. The rules' own windows are checked in the samples' event time, by
 * the conditions.
 */
public final class Patterns {
    static final String DOWNS = "downs";
    static final String WINDOWS = "windows";
    static final String LAST = "last";

    private Patterns() {}

    /**
     * CRASH_LOOP: {@code occurrences} falls to 0 of one series within {@code window_ms}. The input
     * holds only falls; a fall too late for a partial match ends it (strict contiguity), so partial
     * matches never outlive their window.
     */
    public static Pattern<PatternSignal, ?> crashLoop(Duration maxWindow) {
        return Pattern.<PatternSignal>begin(DOWNS, AfterMatchSkipStrategy.skipPastLastEvent())
                .where(new WithinWindow(DOWNS))
                .oneOrMore()
                .consecutive()
                .next(LAST)
                .where(new Completes(DOWNS))
                .within(maxWindow);
    }

    /**
     * SPIKE: {@code occurrences} consecutive windows whose mean exceeds threshold x baseline. A
     * window below, or a gap (a window without samples), ends a partial match.
     */
    public static Pattern<PatternSignal, ?> spike(Duration maxWindow) {
        return Pattern.<PatternSignal>begin(WINDOWS, AfterMatchSkipStrategy.skipPastLastEvent())
                .where(new ContiguousAbove(WINDOWS))
                .oneOrMore()
                .consecutive()
                .next(LAST)
                .where(new ContiguousAbove(WINDOWS))
                .where(new Completes(WINDOWS))
                .within(maxWindow);
    }

    /**
     * Flapping: an alert fires and resolves {@code cycles} times within {@code window}. The events
     * in between (pending) are skipped. Both parameters are the job's, so the pattern is spelled
     * out at build time, one fire and one resolve per cycle.
     */
    public static Pattern<AlertEvent, ?> flapping(int cycles, Duration window) {
        SimpleCondition<AlertEvent> fired =
                SimpleCondition.of(e -> e.getState() == AlertState.FIRING);
        SimpleCondition<AlertEvent> resolved =
                SimpleCondition.of(e -> e.getState() == AlertState.RESOLVED);
        Pattern<AlertEvent, AlertEvent> pattern =
                Pattern.<AlertEvent>begin("fired-1", AfterMatchSkipStrategy.skipPastLastEvent())
                        .where(fired)
                        .followedBy("resolved-1")
                        .where(resolved);
        for (int cycle = 2; cycle <= cycles; cycle++) {
            pattern =
                    pattern.followedBy("fired-" + cycle)
                            .where(fired)
                            .followedBy("resolved-" + cycle)
                            .where(resolved);
        }
        return pattern.within(window);
    }

    /**
     * How long a pattern alert stays firing after its last match (wall clock): a crash loop
     * resolves after a window without a new loop; a spike once the series has had the chance to
     * produce another run of windows.
     */
    public static long quietPeriodMs(Rule rule) {
        return rule.getKind() == RuleKind.SPIKE
                ? rule.getWindowMs() * (rule.getOccurrences() + 1L)
                : rule.getWindowMs();
    }

    /** The first event of the named part of the partial match, or null. */
    private static PatternSignal first(IterativeCondition.Context<PatternSignal> ctx, String name)
            throws Exception {
        for (PatternSignal signal : ctx.getEventsForPattern(name)) {
            return signal;
        }
        return null;
    }

    /** The event joins the partial match if it lies within window_ms of its first event. */
    static final class WithinWindow extends IterativeCondition<PatternSignal> {
        private static final long serialVersionUID = 1L;
        private final String part;

        WithinWindow(String part) {
            this.part = part;
        }

        @Override
        public boolean filter(PatternSignal signal, Context<PatternSignal> ctx) throws Exception {
            PatternSignal first = first(ctx, part);
            return first == null || signal.timestamp - first.timestamp <= signal.rule.getWindowMs();
        }
    }

    /** The window is above and directly follows the previous one of the partial match. */
    static final class ContiguousAbove extends IterativeCondition<PatternSignal> {
        private static final long serialVersionUID = 1L;
        private final String part;

        ContiguousAbove(String part) {
            this.part = part;
        }

        @Override
        public boolean filter(PatternSignal signal, Context<PatternSignal> ctx) throws Exception {
            if (!signal.above) {
                return false;
            }
            PatternSignal previous = null;
            for (PatternSignal earlier : ctx.getEventsForPattern(part)) {
                previous = earlier;
            }
            return previous == null
                    || previous.timestamp + signal.rule.getWindowMs() == signal.timestamp;
        }
    }

    /** The event completes a match: it is the {@code occurrences}-th, within the window. */
    static final class Completes extends IterativeCondition<PatternSignal> {
        private static final long serialVersionUID = 1L;
        private final String part;

        Completes(String part) {
            this.part = part;
        }

        @Override
        public boolean filter(PatternSignal signal, Context<PatternSignal> ctx) throws Exception {
            PatternSignal first = null;
            int count = 0;
            for (PatternSignal earlier : ctx.getEventsForPattern(part)) {
                first = first == null ? earlier : first;
                count++;
            }
            Rule rule = signal.rule;
            long span =
                    rule.getKind() == RuleKind.SPIKE
                            ? rule.getWindowMs() * rule.getOccurrences()
                            : rule.getWindowMs();
            return first != null
                    && count + 1 >= rule.getOccurrences()
                    && signal.timestamp - first.timestamp <= span;
        }
    }

    /**
     * A match of {@link #crashLoop} or {@link #spike} as one signal: the last event, with the
     * number of falls (crash loop) or the mean of the last window (spike) as its value, and its
     * time, when the pattern completed, as the start of the alert.
     */
    public static final class MatchToSignal
            extends PatternProcessFunction<PatternSignal, PatternSignal> {
        private static final long serialVersionUID = 1L;

        @Override
        public void processMatch(
                Map<String, List<PatternSignal>> match, Context ctx, Collector<PatternSignal> out) {
            List<PatternSignal> before = match.getOrDefault(DOWNS, match.get(WINDOWS));
            PatternSignal last = match.get(LAST).get(0);
            double value =
                    last.rule.getKind() == RuleKind.CRASH_LOOP ? before.size() + 1 : last.value;
            out.collect(
                    new PatternSignal(
                            last.fingerprint,
                            last.rule,
                            last.labels,
                            value,
                            last.timestamp,
                            last.baseline,
                            true));
        }
    }

    /** A match of {@link #flapping}: the resolve that completed it. */
    public static final class FlappingDetected
            extends PatternProcessFunction<AlertEvent, AlertEvent> {
        private static final long serialVersionUID = 1L;
        private final int cycles;

        public FlappingDetected(int cycles) {
            this.cycles = cycles;
        }

        @Override
        public void processMatch(
                Map<String, List<AlertEvent>> match, Context ctx, Collector<AlertEvent> out) {
            out.collect(match.get("resolved-" + cycles).get(0));
        }
    }
}
