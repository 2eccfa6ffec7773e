package io.vigil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.vigil.cli.RunningStack.RecordedNotifier;
import io.vigil.cli.SilenceClient.SilenceApiException;
import io.vigil.notifier.routing.InvalidMatcherException;
import io.vigil.notifier.routing.LabelMatcher;
import io.vigil.rules.Durations;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code vigil silence add | list | expire}: silences of the notifier, through its silence API
 * (Alertmanager's {@code /api/v2/silences}, so the commands behave like {@code amtool silence}).
 * The API's address comes from the running local stack's state file unless {@code --api} gives one.
 *
 * <p>Matchers are parsed by the notifier's own {@link LabelMatcher}: {@code name=value}, {@code
 * name!=value}, {@code name=~regex}, {@code name!~regex}, the value bare or double-quoted, regular
 * expressions Java's and anchored (they must match the whole label value), a missing label matching
 * as the empty string. A matcher the notifier would refuse is refused here, before anything is
 * sent.
 *
 * <p>Exit codes: 0 done, 1 the API refused or failed, 2 bad arguments, 3 no running notifier.
 */
@Command(
        name = "silence",
        mixinStandardHelpOptions = true,
        description = "Add, list and expire silences of the notifier (as amtool silence does).",
        subcommands = {
            SilenceCommand.Add.class,
            SilenceCommand.ListSilences.class,
            SilenceCommand.Expire.class
        })
final class SilenceCommand {
    @ParentCommand VigilCli cli;

    /** How long a silence lasts unless told otherwise; amtool's default too. */
    static final String DEFAULT_DURATION = "1h";

    /** {@code --api}, shared by the subcommands. */
    static final class ApiOption {
        @Option(
                names = "--api",
                paramLabel = "URL",
                converter = ApiUriConverter.class,
                description =
                        "The notifier's API, e.g. http://127.0.0.1:9095 (default: the notifier of"
                                + " the running local stack).")
        URI api;
    }

    /** The client for {@code --api}, or for the local stack's notifier; empty if there is none. */
    private Optional<SilenceClient> client(ApiOption option) {
        if (option.api != null) {
            return Optional.of(new SilenceClient(option.api));
        }
        return RunningStack.notifier(cli.dataDir())
                .map(RecordedNotifier::api)
                .map(SilenceClient::new);
    }

    @Command(
            name = "add",
            mixinStandardHelpOptions = true,
            description = {
                "Silence the alerts that match every matcher, from now (or --start) for"
                        + " --duration (or until --end).",
                "Alerts carry their rule's labels and alertname (the rule's alert: name) and"
                        + " severity.",
                "Example: vigil silence add --matcher alertname=CpuHigh --matcher"
                        + " 'host=~host-00.*' --duration 2h --comment 'kernel upgrade'"
            })
    static final class Add implements Callable<Integer> {
        @ParentCommand SilenceCommand silence;
        @Mixin ApiOption api;
        @Spec CommandSpec spec;

        @Option(
                names = {"-m", "--matcher"},
                paramLabel = "MATCHER",
                converter = MatcherConverter.class,
                description =
                        "name=value, name!=value, name=~regex or name!~regex (anchored);"
                                + " repeatable, all must match.")
        List<LabelMatcher> matcherOptions = new ArrayList<>();

        @Parameters(
                paramLabel = "MATCHER",
                arity = "0..*",
                converter = MatcherConverter.class,
                description = "More matchers, as amtool takes them.")
        List<LabelMatcher> matcherArguments = new ArrayList<>();

        @Option(
                names = {"-d", "--duration"},
                converter = DurationConverter.class,
                description =
                        "How long: 30m, 2h, 1h30m, 1d or ISO-8601 PT2H (default "
                                + DEFAULT_DURATION
                                + ").")
        Duration duration;

        @Option(
                names = "--start",
                paramLabel = "TIME",
                converter = TimeConverter.class,
                description = "When it starts, RFC 3339 (default: now).")
        Instant start;

        @Option(
                names = "--end",
                paramLabel = "TIME",
                converter = TimeConverter.class,
                description = "When it ends, RFC 3339, instead of --duration.")
        Instant end;

        @Option(
                names = {"-c", "--comment"},
                defaultValue = "",
                description = "Why, for whoever sees it later.")
        String comment;

        @Option(
                names = {"-a", "--author"},
                defaultValue = "${sys:user.name}",
                description = "Who silences (default: ${DEFAULT-VALUE}).")
        String author;

        @Option(
                names = {"-q", "--quiet"},
                description = "Print only the new silence's id.")
        boolean quiet;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            List<LabelMatcher> matchers = new ArrayList<>(matcherOptions);
            matchers.addAll(matcherArguments);
            if (matchers.isEmpty()) {
                Console.say(
                        err,
                        "a silence needs at least one matcher, e.g. --matcher alertname=CpuHigh");
                return 2;
            }
            if (duration != null && end != null) {
                Console.say(err, "give --duration or --end, not both");
                return 2;
            }
            Instant from = start != null ? start : Instant.now();
            Instant until =
                    end != null
                            ? end
                            : from.plus(
                                    duration != null ? duration : parseDuration(DEFAULT_DURATION));
            Optional<SilenceClient> client = silence.client(api);
            if (client.isEmpty()) {
                return 3;
            }
            try {
                String id = client.get().add(matchers, start, until, author, comment);
                if (quiet) {
                    out.println(id);
                } else {
                    Console.say(
                            out,
                            "silence %s added: %s until %s, by %s",
                            id,
                            matchersText(matchers),
                            until.truncatedTo(ChronoUnit.SECONDS),
                            author);
                }
                out.flush();
                return 0;
            } catch (SilenceApiException e) {
                Console.say(err, "%s", e.getMessage());
                return 1;
            }
        }
    }

    @Command(
            name = "list",
            aliases = "query",
            mixinStandardHelpOptions = true,
            description = {
                "List the active and pending silences (--all: expired ones too).",
                "With matchers, only silences with a matcher on each label whose value matches:"
                        + " vigil silence list alertname=~Disk.*"
            })
    static final class ListSilences implements Callable<Integer> {
        @ParentCommand SilenceCommand silence;
        @Mixin ApiOption api;
        @Spec CommandSpec spec;

        @Parameters(
                paramLabel = "MATCHER",
                arity = "0..*",
                converter = MatcherConverter.class,
                description = "Show only silences these match (as amtool silence query).")
        List<LabelMatcher> filter = new ArrayList<>();

        @Option(names = "--all", description = "Include expired silences.")
        boolean all;

        @Option(names = "--expired", description = "Only expired silences.")
        boolean expired;

        @Option(
                names = {"-q", "--quiet"},
                description =
                        "Print only ids, e.g. for vigil silence expire $(vigil silence list -q).")
        boolean quiet;

        @Option(names = "--json", description = "Print the API's JSON.")
        boolean json;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Optional<SilenceClient> client = silence.client(api);
            if (client.isEmpty()) {
                return 3;
            }
            List<JsonNode> silences;
            try {
                silences = client.get().list();
            } catch (SilenceApiException e) {
                Console.say(err, "%s", e.getMessage());
                return 1;
            }
            List<JsonNode> shown =
                    silences.stream()
                            .filter(s -> shows(state(s)))
                            .filter(s -> matchesFilter(s, filter))
                            .sorted(ORDER)
                            .toList();
            if (json) {
                out.println(shown);
            } else if (quiet) {
                shown.forEach(s -> out.println(s.path("id").asText()));
            } else {
                out.print(table(shown));
                Console.say(
                        out,
                        "%d of %d silences shown%s",
                        shown.size(),
                        silences.size(),
                        all || expired ? "" : " (--all adds the expired ones)");
            }
            out.flush();
            return 0;
        }

        private boolean shows(String state) {
            if (expired) {
                return state.equals("expired");
            }
            return all || !state.equals("expired");
        }
    }

    @Command(
            name = "expire",
            mixinStandardHelpOptions = true,
            description = "End silences now, by id (vigil silence list shows them).")
    static final class Expire implements Callable<Integer> {
        @ParentCommand SilenceCommand silence;
        @Mixin ApiOption api;
        @Spec CommandSpec spec;

        @Parameters(paramLabel = "ID", arity = "1..*", description = "Silence ids.")
        List<String> ids;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Optional<SilenceClient> client = silence.client(api);
            if (client.isEmpty()) {
                return 3;
            }
            int failed = 0;
            for (String id : ids) {
                try {
                    JsonNode expired = client.get().expire(id);
                    Console.say(out, "silence %s expired: %s", id, matchersText(expired));
                } catch (SilenceApiException e) {
                    Console.say(err, "%s", e.getMessage());
                    failed++;
                }
            }
            return failed == 0 ? 0 : 1;
        }
    }

    /** The states of silences, in the order they are listed. */
    private static final List<String> STATES = List.of("active", "pending", "expired");

    /** Active first, then pending, then expired (then any other state); each by end time. */
    static final Comparator<JsonNode> ORDER =
            Comparator.comparingInt(SilenceCommand::rank).thenComparing(SilenceCommand::endsAt);

    private static int rank(JsonNode silence) {
        int rank = STATES.indexOf(state(silence));
        return rank < 0 ? STATES.size() : rank;
    }

    /** Its end; a time that does not parse (an API of another version) sorts last. */
    private static Instant endsAt(JsonNode silence) {
        try {
            return Instant.parse(silence.path("endsAt").asText());
        } catch (DateTimeParseException e) {
            return Instant.MAX;
        }
    }

    private static String state(JsonNode silence) {
        return silence.path("status").path("state").asText("?");
    }

    /**
     * Whether a listed silence passes the filter, as {@code amtool silence query} decides: every
     * filter matcher finds a matcher of the silence on its label, and matches that matcher's value.
     */
    static boolean matchesFilter(JsonNode silence, List<LabelMatcher> filter) {
        Map<String, String> values = new HashMap<>();
        for (JsonNode matcher : silence.path("matchers")) {
            values.put(matcher.path("name").asText(), matcher.path("value").asText());
        }
        return filter.stream().allMatch(f -> values.containsKey(f.name()) && f.matches(values));
    }

    /** The list as a table whose columns are as wide as their widest cell. */
    static String table(List<JsonNode> silences) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("ID", "STATE", "STARTS", "ENDS", "CREATED BY", "MATCHERS", "COMMENT"));
        for (JsonNode silence : silences) {
            rows.add(
                    List.of(
                            silence.path("id").asText(),
                            state(silence),
                            seconds(silence.path("startsAt").asText()),
                            seconds(silence.path("endsAt").asText()),
                            silence.path("createdBy").asText(),
                            matchersText(silence),
                            silence.path("comment").asText()));
        }
        int[] widths = new int[rows.get(0).size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder text = new StringBuilder();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                line.append(i == row.size() - 1 ? row.get(i) : pad(row.get(i), widths[i] + 2));
            }
            text.append(line.toString().stripTrailing()).append(System.lineSeparator());
        }
        return text.toString();
    }

    /** A time of the API to the second, which is all a person reading the list needs. */
    private static String seconds(String time) {
        try {
            return Instant.parse(time).truncatedTo(ChronoUnit.SECONDS).toString();
        } catch (DateTimeParseException e) {
            return time;
        }
    }

    private static String pad(String text, int width) {
        return text + " ".repeat(width - text.length());
    }

    /** The matchers of a silence as the API shows it, in their text form. */
    static String matchersText(JsonNode silence) {
        List<LabelMatcher> matchers = new ArrayList<>();
        for (JsonNode matcher : silence.path("matchers")) {
            boolean regex = matcher.path("isRegex").asBoolean(false);
            boolean equal = matcher.path("isEqual").asBoolean(true);
            LabelMatcher.Type type =
                    regex
                            ? (equal ? LabelMatcher.Type.REGEX : LabelMatcher.Type.NOT_REGEX)
                            : (equal ? LabelMatcher.Type.EQUAL : LabelMatcher.Type.NOT_EQUAL);
            try {
                matchers.add(
                        LabelMatcher.of(
                                matcher.path("name").asText(),
                                type,
                                matcher.path("value").asText()));
            } catch (InvalidMatcherException e) {
                // Stored by another version with other rules: show it as it came.
                return silence.path("matchers").toString();
            }
        }
        return matchersText(matchers);
    }

    static String matchersText(List<LabelMatcher> matchers) {
        return String.join(" ", matchers.stream().map(LabelMatcher::toString).toList());
    }

    /**
     * A silence's length: Prometheus style ({@code 30m}, {@code 2h}, {@code 1h30m}, {@code 1d}) as
     * in rule files and amtool, or ISO-8601 ({@code PT2H}) as {@code vigil up --duration}; never
     * zero or negative.
     *
     * @throws CommandLine.TypeConversionException with the message to show
     */
    static Duration parseDuration(String text) {
        String trimmed = text.trim();
        if (trimmed.startsWith("-")) {
            throw new CommandLine.TypeConversionException(
                    String.format("'%s': a silence's duration must be positive", text));
        }
        Duration duration;
        Optional<Long> millis = Durations.parseMillis(trimmed);
        if (millis.isPresent()) {
            duration = Duration.ofMillis(millis.get());
        } else {
            try {
                duration = Duration.parse(trimmed);
            } catch (DateTimeParseException e) {
                throw new CommandLine.TypeConversionException(
                        String.format(
                                "'%s' is not a duration; use e.g. 30m, 2h, 1h30m, 1d or PT2H",
                                text));
            }
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new CommandLine.TypeConversionException(
                    String.format("'%s': a silence's duration must be positive", text));
        }
        return duration;
    }

    /** Reads {@code --matcher} and matcher arguments with the notifier's parser. */
    static final class MatcherConverter implements CommandLine.ITypeConverter<LabelMatcher> {
        @Override
        public LabelMatcher convert(String text) {
            try {
                return LabelMatcher.parse(text);
            } catch (InvalidMatcherException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String text) {
            return parseDuration(text);
        }
    }

    /** RFC 3339 times, as the API takes them: {@code 2026-11-25T18:00:00Z}, or with an offset. */
    static final class TimeConverter implements CommandLine.ITypeConverter<Instant> {
        @Override
        public Instant convert(String text) {
            try {
                return OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException e) {
                throw new CommandLine.TypeConversionException(
                        String.format(
                                "'%s' is not an RFC 3339 time such as 2026-11-25T18:00:00Z", text));
            }
        }
    }

    /**
     * {@code http://host:port} (a path prefix is kept, for an API behind a proxy), or {@code
     * host:port} for short.
     */
    static final class ApiUriConverter implements CommandLine.ITypeConverter<URI> {
        @Override
        public URI convert(String text) {
            String withScheme = text.contains("://") ? text : "http://" + text;
            URI uri;
            try {
                uri = URI.create(withScheme);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(
                        String.format("'%s' is not a URL: %s", text, e.getMessage()));
            }
            if (!List.of("http", "https").contains(String.valueOf(uri.getScheme()))
                    || uri.getHost() == null) {
                throw new CommandLine.TypeConversionException(
                        String.format(
                                "'%s' is not an http(s) URL with a host, e.g."
                                        + " http://127.0.0.1:9095",
                                text));
            }
            return uri;
        }
    }
}
