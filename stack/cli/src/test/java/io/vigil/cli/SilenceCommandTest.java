package io.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.notifier.routing.LabelMatcher;
import io.vigil.stack.process.PortAllocator;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code vigil silence}: arguments as amtool users type them, the list's table and filter, and
 * every way a call can fail ending in one clear line and an exit code, never a stack trace.
 */
class SilenceCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path home;

    @Test
    void parsesMatchersDurationAndTextOfAdd() {
        CommandLine cli = new CommandLine(new VigilCli());
        CommandLine.ParseResult parsed =
                cli.parseArgs(
                        "silence",
                        "add",
                        "--matcher",
                        "alertname=CpuHigh",
                        "-m",
                        "host=~host-00.*",
                        "team!=\"db \\\"core\\\"\"",
                        "--duration",
                        "2h",
                        "--comment",
                        "kernel upgrade",
                        "--author",
                        "alice");
        SilenceCommand.Add add =
                (SilenceCommand.Add) parsed.subcommand().subcommand().commandSpec().userObject();

        assertThat(add.matcherOptions)
                .containsExactly(
                        LabelMatcher.of("alertname", LabelMatcher.Type.EQUAL, "CpuHigh"),
                        LabelMatcher.of("host", LabelMatcher.Type.REGEX, "host-00.*"));
        assertThat(add.matcherArguments)
                .containsExactly(
                        LabelMatcher.of("team", LabelMatcher.Type.NOT_EQUAL, "db \"core\""));
        assertThat(add.duration).isEqualTo(Duration.ofHours(2));
        assertThat(add.comment).isEqualTo("kernel upgrade");
        assertThat(add.author).isEqualTo("alice");
    }

    @Test
    void readsDurationsAsRuleFilesAndIso8601WriteThem() {
        assertThat(SilenceCommand.parseDuration("90m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(SilenceCommand.parseDuration("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(SilenceCommand.parseDuration("1d")).isEqualTo(Duration.ofDays(1));
        assertThat(SilenceCommand.parseDuration("PT2H")).isEqualTo(Duration.ofHours(2));
        assertThatThrownBy(() -> SilenceCommand.parseDuration("-2h"))
                .hasMessage("'-2h': a silence's duration must be positive");
        assertThatThrownBy(() -> SilenceCommand.parseDuration("PT-2H"))
                .hasMessage("'PT-2H': a silence's duration must be positive");
        assertThatThrownBy(() -> SilenceCommand.parseDuration("0"))
                .hasMessage("'0': a silence's duration must be positive");
        assertThatThrownBy(() -> SilenceCommand.parseDuration("2 hours"))
                .hasMessage("'2 hours' is not a duration; use e.g. 30m, 2h, 1h30m, 1d or PT2H");
    }

    @Test
    void badArgumentsExitWithTwoAndOneLineBeforeAnythingIsSent() {
        CliRun unknownSyntax = addWithoutApi("-m", "host:db-1");
        assertThat(unknownSyntax.exitCode()).isEqualTo(2);
        assertThat(unknownSyntax.err())
                .isEqualTo(
                        String.format(
                                "Invalid value for option '--matcher' (MATCHER): invalid matcher"
                                    + " 'host:db-1': expected a label name, one of = != =~ !~, and"
                                    + " a value, e.g. severity=\"critical\"%nTry 'vigil silence add"
                                    + " --help' for more information.%n"))
                .doesNotContain("Exception");

        CliRun badRegex = addWithoutApi("-m", "host=~db-[");
        assertThat(badRegex.exitCode()).isEqualTo(2);
        assertThat(badRegex.err()).contains("invalid regular expression for label 'host': db-[");

        CliRun negative = addWithoutApi("-m", "host=db-1", "--duration", "-2h");
        assertThat(negative.exitCode()).isEqualTo(2);
        assertThat(negative.err()).contains("'-2h': a silence's duration must be positive");

        CliRun none = addWithoutApi();
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).contains("a silence needs at least one matcher");

        CliRun both =
                addWithoutApi(
                        "-m", "host=db-1", "--duration", "1h", "--end", "2026-11-25T18:00:00Z");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("give --duration or --end, not both");

        CliRun badUrl = CliRun.run(home, "silence", "list", "--api", "ftp://host/");
        assertThat(badUrl.exitCode()).isEqualTo(2);
        assertThat(badUrl.err()).contains("is not an http(s) URL with a host");
    }

    /** {@code vigil silence add} with these arguments, told of an API where nothing listens. */
    private CliRun addWithoutApi(String... args) {
        String[] all = new String[args.length + 4];
        System.arraycopy(new String[] {"silence", "add", "--api", "127.0.0.1:1"}, 0, all, 0, 4);
        System.arraycopy(args, 0, all, 4, args.length);
        return CliRun.run(home, all);
    }

    @Test
    void anUnreachableApiIsNamed() {
        int nothingListens = new PortAllocator().next();

        CliRun run = CliRun.run(home, "silence", "list", "--api", "127.0.0.1:" + nothingListens);

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err())
                .startsWith(
                        "vigil: cannot reach the notifier's API at http://127.0.0.1:"
                                + nothingListens)
                .doesNotContain("Exception");
    }

    @Test
    void refusalsOfTheApiShowTheirStatusAndMessage() throws Exception {
        try (CannedApi proxy = new CannedApi(401, "text/plain", "bearer token required")) {
            CliRun run =
                    CliRun.run(
                            home,
                            "silence",
                            "add",
                            "--api",
                            proxy.uri().toString(),
                            "-m",
                            "alertname=CpuHigh");
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err())
                    .isEqualTo(
                            String.format(
                                    "vigil: %s refused POST /api/v2/silences with 401"
                                            + " (unauthorized: the API wants credentials): bearer"
                                            + " token required%n",
                                    proxy.uri()));
        }
        try (CannedApi unavailable =
                new CannedApi(
                        503,
                        "application/json",
                        "{\"error\": \"silence storage failed, retry: timeout\"}")) {
            CliRun run =
                    CliRun.run(
                            home, "silence", "expire", "--api", unavailable.uri().toString(), "x");
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err())
                    .contains(
                            "refused DELETE /api/v2/silence/x with 503 (unavailable, try again):"
                                    + " silence storage failed, retry: timeout");
        }
        try (CannedApi notTheApi = new CannedApi(200, "text/html", "<html>hello</html>")) {
            CliRun run = CliRun.run(home, "silence", "list", "--api", notTheApi.uri().toString());
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err())
                    .contains("answered GET /api/v2/silences with something other than JSON");
        }
    }

    @Test
    void withoutApiAndWithoutStackItSaysHowToStartOne() {
        CliRun run = CliRun.run(home, "silence", "list");

        assertThat(run.exitCode()).isEqualTo(3);
    }

    @Test
    void listsAsATableWithColumnsAsWideAsTheirCells() throws Exception {
        JsonNode active =
                silence("a1", "active", "2026-11-25T12:00:00.123Z", "2026-11-25T14:00:00.123Z", "");
        JsonNode expired =
                silence(
                        "e22",
                        "expired",
                        "2026-11-24T12:00:00Z",
                        "2026-11-24T13:00:00Z",
                        "old one");

        assertThat(SilenceCommand.table(List.of(active, expired)))
                .isEqualTo(
                        String.join(
                                System.lineSeparator(),
                                "ID   STATE    STARTS                ENDS                  CREATED"
                                        + " BY  MATCHERS                               COMMENT",
                                "a1   active   2026-11-25T12:00:00Z  2026-11-25T14:00:00Z  alice "
                                        + "      alertname=\"CpuHigh\" host=~\"host-00.*\"",
                                "e22  expired  2026-11-24T12:00:00Z  2026-11-24T13:00:00Z  alice   "
                                        + "    alertname=\"CpuHigh\" host=~\"host-00.*\"  old one",
                                ""));
    }

    @Test
    void listsActiveThenPendingThenExpiredEachByEnd() throws Exception {
        JsonNode expired =
                silence("e", "expired", "2026-11-24T12:00:00Z", "2026-11-24T13:00:00Z", "");
        JsonNode laterActive =
                silence("a2", "active", "2026-11-25T12:00:00Z", "2026-11-25T18:00:00Z", "");
        JsonNode pending =
                silence("p", "pending", "2026-11-26T12:00:00Z", "2026-11-26T13:00:00Z", "");
        JsonNode sooner =
                silence("a1", "active", "2026-11-25T12:00:00Z", "2026-11-25T14:00:00.5Z", "");

        assertThat(
                        List.of(expired, laterActive, pending, sooner).stream()
                                .sorted(SilenceCommand.ORDER)
                                .map(s -> s.get("id").asText()))
                .containsExactly("a1", "a2", "p", "e");
    }

    @Test
    void filtersAsAmtoolQueryDoes() throws Exception {
        JsonNode silence =
                silence("a1", "active", "2026-11-25T12:00:00Z", "2026-11-25T14:00:00Z", "");

        assertThat(SilenceCommand.matchesFilter(silence, List.of())).isTrue();
        assertThat(
                        SilenceCommand.matchesFilter(
                                silence, List.of(LabelMatcher.parse("alertname=CpuHigh"))))
                .isTrue();
        assertThat(
                        SilenceCommand.matchesFilter(
                                silence, List.of(LabelMatcher.parse("host=~host-.*"))))
                .as("the filter matches the silence's value, here its regular expression's text")
                .isTrue();
        assertThat(
                        SilenceCommand.matchesFilter(
                                silence, List.of(LabelMatcher.parse("alertname=DiskFull"))))
                .isFalse();
        assertThat(SilenceCommand.matchesFilter(silence, List.of(LabelMatcher.parse("team!=db"))))
                .as("a label the silence has no matcher on")
                .isFalse();
    }

    @Test
    void sendsMatchersInAlertmanagersJson() {
        assertThat(
                        SilenceClient.toJson(
                                        List.of(
                                                LabelMatcher.parse("a=1"),
                                                LabelMatcher.parse("b!=2"),
                                                LabelMatcher.parse("c=~3.*"),
                                                LabelMatcher.parse("d!~4.*")))
                                .toString())
                .isEqualTo(
                        "[{\"name\":\"a\",\"value\":\"1\",\"isRegex\":false,\"isEqual\":true},"
                            + "{\"name\":\"b\",\"value\":\"2\",\"isRegex\":false,\"isEqual\":false},"
                            + "{\"name\":\"c\",\"value\":\"3.*\",\"isRegex\":true,\"isEqual\":true},"
                            + "{\"name\":\"d\",\"value\":\"4.*\",\"isRegex\":true,\"isEqual\":false}]");
    }

    @Test
    void takesTheApiAsUrlOrHostAndPort() {
        SilenceCommand.ApiUriConverter converter = new SilenceCommand.ApiUriConverter();

        assertThat(converter.convert("127.0.0.1:9095"))
                .isEqualTo(URI.create("http://127.0.0.1:9095"));
        assertThat(converter.convert("https://notifier.example.org/vigil"))
                .isEqualTo(URI.create("https://notifier.example.org/vigil"));
    }

    /** A silence as the API lists it. */
    private static JsonNode silence(
            String id, String state, String startsAt, String endsAt, String comment)
            throws Exception {
        return JSON.readTree(
                String.format(
                        "{\"id\": \"%s\", \"status\": {\"state\": \"%s\"}, \"matchers\": ["
                                + "{\"name\": \"alertname\", \"value\": \"CpuHigh\","
                                + " \"isRegex\": false, \"isEqual\": true},"
                                + " {\"name\": \"host\", \"value\": \"host-00.*\", \"isRegex\":"
                                + " true, \"isEqual\": true}],"
                                + " \"startsAt\": \"%s\", \"endsAt\": \"%s\", \"createdBy\":"
                                + " \"alice\", \"comment\": \"%s\"}",
                        id, state, startsAt, endsAt, comment));
    }

    @Test
    void readsRfc3339Times() {
        SilenceCommand.TimeConverter converter = new SilenceCommand.TimeConverter();

        assertThat(converter.convert("2026-11-25T19:00:00+01:00"))
                .isEqualTo(Instant.parse("2026-11-25T18:00:00Z"));
        assertThatThrownBy(() -> converter.convert("tomorrow"))
                .hasMessage("'tomorrow' is not an RFC 3339 time such as 2026-11-25T18:00:00Z");
    }
}
