package io.vigil.notifier.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Alertmanager's matcher semantics: anchored regexes, missing labels as empty, clear errors. */
class LabelMatcherTest {

    private static final Map<String, String> DB_CRITICAL =
            Map.of("team", "db", "severity", "critical", "instance", "db-1");

    @Test
    void parsesTheFourOperatorsQuotedOrBare() {
        assertThat(LabelMatcher.parse("team=\"db\"").matches(DB_CRITICAL)).isTrue();
        assertThat(LabelMatcher.parse("team = db").matches(DB_CRITICAL)).isTrue();
        assertThat(LabelMatcher.parse("team!=\"db\"").matches(DB_CRITICAL)).isFalse();
        assertThat(LabelMatcher.parse("instance=~\"db-[0-9]+\"").matches(DB_CRITICAL)).isTrue();
        assertThat(LabelMatcher.parse("instance!~\"db-.*\"").matches(DB_CRITICAL)).isFalse();
    }

    @Test
    void regexesAreAnchored() {
        assertThat(LabelMatcher.parse("severity=~\"crit\"").matches(DB_CRITICAL)).isFalse();
        assertThat(LabelMatcher.parse("severity=~\"crit.*\"").matches(DB_CRITICAL)).isTrue();
    }

    @Test
    void aMissingLabelMatchesAsTheEmptyString() {
        assertThat(LabelMatcher.parse("owner=\"\"").matches(DB_CRITICAL)).isTrue();
        assertThat(LabelMatcher.parse("owner!=\"alice\"").matches(DB_CRITICAL)).isTrue();
        assertThat(LabelMatcher.parse("owner=\"alice\"").matches(DB_CRITICAL)).isFalse();
    }

    @Test
    void quotesAndEscapesRoundTrip() {
        LabelMatcher matcher = LabelMatcher.parse("summary=\"say \\\"hi\\\" \\\\ bye\"");

        assertThat(matcher.value()).isEqualTo("say \"hi\" \\ bye");
        assertThat(LabelMatcher.parse(matcher.toString())).isEqualTo(matcher);
    }

    @Test
    void explainsWhatIsWrong() {
        assertThatThrownBy(() -> LabelMatcher.parse("instance=~\"db-[\""))
                .isInstanceOf(InvalidMatcherException.class)
                .hasMessageStartingWith(
                        "invalid matcher 'instance=~\"db-[\"': invalid regular expression for"
                                + " label 'instance': db-[ (Unclosed character class");
        assertThatThrownBy(() -> LabelMatcher.parse("9lives=\"x\""))
                .hasMessageContaining("expected a label name, one of = != =~ !~");
        assertThatThrownBy(() -> LabelMatcher.parse("team=\"db"))
                .hasMessage("invalid matcher 'team=\"db': the value's closing quote is missing");
        assertThatThrownBy(() -> LabelMatcher.parse(" "))
                .hasMessage("empty matcher: expected name=\"value\"");
        assertThatThrownBy(() -> LabelMatcher.of("bad-name", LabelMatcher.Type.EQUAL, "x"))
                .hasMessage(
                        "invalid label name 'bad-name': a label name is [a-zA-Z_][a-zA-Z0-9_]*");
    }
}
