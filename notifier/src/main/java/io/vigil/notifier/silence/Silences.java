package io.vigil.notifier.silence;

import io.vigil.notifier.routing.InvalidMatcherException;
import io.vigil.notifier.routing.LabelMatcher;
import io.vigil.schemas.Matcher;
import io.vigil.schemas.Silence;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks silences and turns their Avro matchers into {@link LabelMatcher}s.
 *
 * <p>The checks are Alertmanager's: at least one matcher, valid label names and regular
 * expressions, an end after the start and in the future, an author, and not every matcher matching
 * the empty string (such a silence would mute every alert, which is never what anyone meant).
 */
public final class Silences {

    private Silences() {}

    /**
     * The matchers of a valid silence.
     *
     * @throws InvalidSilenceException naming what is wrong, e.g. {@code matchers[1]: invalid
     *     regular expression for label 'instance': db-[ (Unclosed character class)}
     */
    public static List<LabelMatcher> validate(Silence silence, Instant now) {
        if (silence.getMatchers().isEmpty()) {
            throw new InvalidSilenceException("a silence needs at least one matcher");
        }
        List<LabelMatcher> matchers = matchers(silence);
        if (matchers.stream().allMatch(matcher -> matcher.matches(Map.of()))) {
            throw new InvalidSilenceException(
                    "every matcher matches the empty string, so the silence would mute every"
                            + " alert; add a matcher that requires a label value");
        }
        if (silence.getEndsAt() <= silence.getStartsAt()) {
            throw new InvalidSilenceException(
                    String.format(
                            "endsAt (%s) must be after startsAt (%s)",
                            Instant.ofEpochMilli(silence.getEndsAt()),
                            Instant.ofEpochMilli(silence.getStartsAt())));
        }
        if (silence.getEndsAt() <= now.toEpochMilli()) {
            throw new InvalidSilenceException(
                    String.format(
                            "endsAt (%s) is in the past",
                            Instant.ofEpochMilli(silence.getEndsAt())));
        }
        if (silence.getCreatedBy() == null || silence.getCreatedBy().isBlank()) {
            throw new InvalidSilenceException("createdBy is required: who is silencing?");
        }
        return matchers;
    }

    /**
     * The label matchers of a silence.
     *
     * @throws InvalidSilenceException for an invalid label name or regular expression
     */
    public static List<LabelMatcher> matchers(Silence silence) {
        List<LabelMatcher> matchers = new ArrayList<>();
        List<Matcher> raw = silence.getMatchers();
        for (int i = 0; i < raw.size(); i++) {
            Matcher matcher = raw.get(i);
            LabelMatcher.Type type =
                    matcher.getIsRegex()
                            ? (matcher.getIsEqual()
                                    ? LabelMatcher.Type.REGEX
                                    : LabelMatcher.Type.NOT_REGEX)
                            : (matcher.getIsEqual()
                                    ? LabelMatcher.Type.EQUAL
                                    : LabelMatcher.Type.NOT_EQUAL);
            try {
                matchers.add(LabelMatcher.of(matcher.getName(), type, matcher.getValue()));
            } catch (InvalidMatcherException e) {
                throw new InvalidSilenceException(
                        String.format("matchers[%s]: %s", i, e.getMessage()));
            }
        }
        return matchers;
    }

    /** The Avro form of a label matcher. */
    public static Matcher toAvro(LabelMatcher matcher) {
        return Matcher.newBuilder()
                .setName(matcher.name())
                .setValue(matcher.value())
                .setIsRegex(matcher.type().isRegex())
                .setIsEqual(!matcher.type().isNegative())
                .build();
    }
}
