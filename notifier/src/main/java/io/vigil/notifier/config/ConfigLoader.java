package io.vigil.notifier.config;

import io.vigil.notifier.inhibit.InhibitRule;
import io.vigil.notifier.routing.InvalidMatcherException;
import io.vigil.notifier.routing.LabelMatcher;
import io.vigil.notifier.routing.Route;
import io.vigil.notifier.routing.Timings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads the notifier's YAML configuration, a subset of Alertmanager's with the same names ({@code
 * global}, {@code route}, {@code receivers}, {@code inhibit_rules}) plus a {@code notifier} section
 * for delivery settings.
 *
 * <pre>{@code
 * NotifierConfig config = ConfigLoader.load(Path.of("notifier.yaml"));
 * }</pre>
 *
 * <p>Every problem is reported with its place in the file, e.g. {@code route.routes[1].matchers[0]:
 * invalid regular expression ...}, and unknown keys are errors rather than ignored: a misspelt
 * {@code group_wiat} silently keeping the default would be found only when pages arrive late.
 * Children of a route inherit {@code receiver}, {@code group_by} and the three timings from their
 * parent.
 */
public final class ConfigLoader {

    private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ms|s|m|h|d|w)");

    private ConfigLoader() {}

    /** Reads and checks a configuration file. */
    public static NotifierConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    String.format("cannot read the notifier configuration %s", file), e);
        }
        try {
            return parse(text);
        } catch (InvalidConfigException e) {
            throw new InvalidConfigException(String.format("%s: %s", file, e.getMessage()), e);
        }
    }

    /** Reads and checks a configuration given as YAML text. */
    public static NotifierConfig parse(String yaml) {
        Object document;
        try {
            document = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
        } catch (YAMLException e) {
            throw new InvalidConfigException("not valid YAML: " + e.getMessage(), e);
        }
        Node root = new Node("", document == null ? Map.of() : document);
        root.allowOnly("global", "notifier", "route", "receivers", "inhibit_rules");
        Node global = root.optional("global");
        global.allowOnly(
                "smtp_smarthost",
                "smtp_from",
                "smtp_auth_username",
                "smtp_auth_password",
                "smtp_require_tls",
                "slack_api_url");

        Map<String, ReceiverConfig> receivers = new LinkedHashMap<>();
        List<Node> receiverNodes = root.list("receivers");
        if (receiverNodes.isEmpty()) {
            throw root.error("receivers: at least one receiver is required");
        }
        for (Node node : receiverNodes) {
            ReceiverConfig receiver = receiver(node, global);
            if (receivers.put(receiver.name(), receiver) != null) {
                throw node.error(String.format("receiver '%s' is defined twice", receiver.name()));
            }
        }

        Node routeNode = root.required("route");
        Route route =
                route(
                        routeNode,
                        "{}",
                        List.of(),
                        null,
                        List.of(),
                        Timings.DEFAULT,
                        receivers.keySet(),
                        true);

        List<InhibitRule> inhibitRules = new ArrayList<>();
        for (Node node : root.list("inhibit_rules")) {
            node.allowOnly("source_matchers", "target_matchers", "equal");
            inhibitRules.add(
                    new InhibitRule(
                            matchers(node, "source_matchers"),
                            matchers(node, "target_matchers"),
                            node.strings("equal")));
        }
        return new NotifierConfig(
                route, receivers, inhibitRules, delivery(root.optional("notifier")));
    }

    private static DeliverySettings delivery(Node node) {
        node.allowOnly(
                "max_notifications_per_second",
                "retry_initial_backoff",
                "retry_max_backoff",
                "lease",
                "request_timeout",
                "external_url");
        DeliverySettings defaults = DeliverySettings.DEFAULT;
        try {
            return new DeliverySettings(
                    node.integer("max_notifications_per_second", defaults.maxPerSecond()),
                    node.duration("retry_initial_backoff", defaults.initialBackoff()),
                    node.duration("retry_max_backoff", defaults.maxBackoff()),
                    node.duration("lease", defaults.lease()),
                    node.duration("request_timeout", defaults.requestTimeout()),
                    node.string("external_url", defaults.externalUrl()));
        } catch (IllegalArgumentException e) {
            throw node.error(e.getMessage());
        }
    }

    private static Route route(
            Node node,
            String parentPath,
            List<String> siblingPaths,
            String parentReceiver,
            List<String> parentGroupBy,
            Timings parentTimings,
            Set<String> receivers,
            boolean isRoot) {
        node.allowOnly(
                "receiver",
                "matchers",
                "group_by",
                "group_wait",
                "group_interval",
                "repeat_interval",
                "continue",
                "routes");
        List<LabelMatcher> matchers = matchers(node, "matchers");
        if (isRoot && !matchers.isEmpty()) {
            throw node.error("the root route takes every alert and must not have matchers");
        }
        String receiver = node.string("receiver", parentReceiver);
        if (receiver == null) {
            throw node.error("the root route needs a receiver");
        }
        if (!receivers.contains(receiver)) {
            throw node.error(
                    String.format(
                            "receiver '%s' is not defined (defined: %s)", receiver, receivers));
        }
        List<String> groupBy = node.has("group_by") ? node.strings("group_by") : parentGroupBy;
        if (groupBy.contains(Route.ALL_LABELS) && groupBy.size() > 1) {
            throw node.error("group_by: '...' groups by every label and stands alone");
        }
        Timings timings;
        try {
            timings =
                    new Timings(
                            node.duration("group_wait", parentTimings.groupWait()),
                            node.duration("group_interval", parentTimings.groupInterval()),
                            node.duration("repeat_interval", parentTimings.repeatInterval()));
        } catch (IllegalArgumentException e) {
            throw node.error(e.getMessage());
        }
        String path =
                isRoot
                        ? parentPath
                        : parentPath
                                + "/"
                                + matchers.stream()
                                        .map(LabelMatcher::toString)
                                        .collect(Collectors.joining(", ", "{", "}"));
        // Siblings with the same matchers would share group keys, and so notification log rows.
        if (siblingPaths.contains(path)) {
            path = path + "#" + siblingPaths.size();
        }
        List<Route> children = new ArrayList<>();
        List<String> childPaths = new ArrayList<>();
        for (Node child : node.list("routes")) {
            Route route =
                    route(child, path, childPaths, receiver, groupBy, timings, receivers, false);
            children.add(route);
            childPaths.add(route.path());
        }
        boolean continueMatching = node.bool("continue", false);
        if (isRoot && continueMatching) {
            throw node.error("continue is meaningless on the root route");
        }
        return new Route(path, receiver, matchers, groupBy, timings, continueMatching, children);
    }

    private static ReceiverConfig receiver(Node node, Node global) {
        node.allowOnly(
                "name",
                "email_configs",
                "slack_configs",
                "webhook_configs",
                "alertmanager_configs");
        String name = node.string("name", null);
        if (name == null || name.isBlank()) {
            throw node.error("a receiver needs a name");
        }
        List<IntegrationConfig> integrations = new ArrayList<>();
        for (Node email : node.list("email_configs")) {
            email.allowOnly(
                    "to",
                    "from",
                    "smarthost",
                    "auth_username",
                    "auth_password",
                    "require_tls",
                    "send_resolved");
            List<String> to =
                    email.value("to") instanceof List<?>
                            ? email.strings("to")
                            : List.of(email.required("to").text());
            String smarthost = email.string("smarthost", global.string("smtp_smarthost", null));
            String from = email.string("from", global.string("smtp_from", null));
            if (smarthost == null || !smarthost.matches("[^:]+:\\d+")) {
                throw email.error(
                        String.format(
                                "smarthost must be host:port (here or global.smtp_smarthost): %s",
                                smarthost));
            }
            if (from == null) {
                throw email.error("from is required (here or global.smtp_from)");
            }
            integrations.add(
                    new IntegrationConfig.Email(
                            to,
                            from,
                            smarthost,
                            email.string(
                                    "auth_username", global.string("smtp_auth_username", null)),
                            email.string(
                                    "auth_password", global.string("smtp_auth_password", null)),
                            email.bool("require_tls", global.bool("smtp_require_tls", false)),
                            email.bool("send_resolved", true)));
        }
        for (Node slack : node.list("slack_configs")) {
            slack.allowOnly("api_url", "channel", "send_resolved");
            String url = slack.string("api_url", global.string("slack_api_url", null));
            if (url == null) {
                throw slack.error("api_url is required (here or global.slack_api_url)");
            }
            integrations.add(
                    new IntegrationConfig.Slack(
                            slack.uri(url),
                            slack.string("channel", null),
                            slack.bool("send_resolved", true)));
        }
        for (Node webhook : node.list("webhook_configs")) {
            webhook.allowOnly("url", "max_alerts", "send_resolved");
            integrations.add(
                    new IntegrationConfig.Webhook(
                            webhook.uri(webhook.required("url").text()),
                            webhook.integer("max_alerts", 0),
                            webhook.bool("send_resolved", true)));
        }
        for (Node alertmanager : node.list("alertmanager_configs")) {
            alertmanager.allowOnly("url", "send_resolved");
            integrations.add(
                    new IntegrationConfig.Alertmanager(
                            alertmanager.uri(alertmanager.required("url").text()),
                            alertmanager.bool("send_resolved", true)));
        }
        return new ReceiverConfig(name, integrations);
    }

    private static List<LabelMatcher> matchers(Node node, String key) {
        List<LabelMatcher> matchers = new ArrayList<>();
        List<Node> items = node.list(key);
        for (Node item : items) {
            try {
                matchers.add(LabelMatcher.parse(item.text()));
            } catch (InvalidMatcherException e) {
                throw item.error(e.getMessage());
            }
        }
        return matchers;
    }

    /** Parses Prometheus durations: {@code 30s}, {@code 5m}, {@code 1h30m}, {@code 250ms}. */
    static Duration parseDuration(String text) {
        Matcher part = DURATION_PART.matcher(text);
        Duration total = Duration.ZERO;
        int end = 0;
        while (part.find() && part.start() == end) {
            long amount = Long.parseLong(part.group(1));
            total =
                    total.plus(
                            switch (part.group(2)) {
                                case "ms" -> Duration.ofMillis(amount);
                                case "s" -> Duration.ofSeconds(amount);
                                case "m" -> Duration.ofMinutes(amount);
                                case "h" -> Duration.ofHours(amount);
                                case "d" -> Duration.ofDays(amount);
                                default -> Duration.ofDays(7 * amount);
                            });
            end = part.end();
        }
        if (end == 0 || end != text.length()) {
            throw new IllegalArgumentException(
                    String.format("'%s' is not a duration; use e.g. 30s, 5m, 1h30m, 250ms", text));
        }
        return total;
    }

    /** A value in the YAML tree with its path, for error messages. */
    private record Node(String path, Object value) {

        InvalidConfigException error(String message) {
            return new InvalidConfigException(
                    path.isEmpty() ? message : String.format("%s: %s", path, message));
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> map() {
            if (!(value instanceof Map)) {
                throw error("expected a mapping of keys to values");
            }
            return (Map<String, Object>) value;
        }

        void allowOnly(String... keys) {
            Set<String> allowed = new HashSet<>(List.of(keys));
            for (String key : map().keySet()) {
                if (!allowed.contains(key)) {
                    throw error(
                            String.format(
                                    "unknown key '%s' (allowed here: %s)",
                                    key, String.join(", ", keys)));
                }
            }
        }

        boolean has(String key) {
            return map().get(key) != null;
        }

        Object value(String key) {
            return map().get(key);
        }

        Node child(String key) {
            return new Node(path.isEmpty() ? key : path + "." + key, map().get(key));
        }

        Node required(String key) {
            if (!has(key)) {
                throw error(String.format("'%s' is required", key));
            }
            return child(key);
        }

        Node optional(String key) {
            return has(key) ? child(key) : new Node(child(key).path(), Map.of());
        }

        List<Node> list(String key) {
            Object items = map().get(key);
            if (items == null) {
                return List.of();
            }
            Node node = child(key);
            if (!(items instanceof List<?> values)) {
                throw node.error("expected a list");
            }
            List<Node> nodes = new ArrayList<>();
            for (int i = 0; i < values.size(); i++) {
                nodes.add(new Node(node.path() + "[" + i + "]", values.get(i)));
            }
            return nodes;
        }

        String text() {
            if (value instanceof Map || value instanceof List || value == null) {
                throw error("expected a single value");
            }
            return value.toString();
        }

        List<String> strings(String key) {
            return list(key).stream().map(Node::text).toList();
        }

        String string(String key, String fallback) {
            return has(key) ? child(key).text() : fallback;
        }

        boolean bool(String key, boolean fallback) {
            if (!has(key)) {
                return fallback;
            }
            if (!(value(key) instanceof Boolean flag)) {
                throw child(key).error("expected true or false");
            }
            return flag;
        }

        int integer(String key, int fallback) {
            if (!has(key)) {
                return fallback;
            }
            if (!(value(key) instanceof Integer number)) {
                throw child(key).error("expected a whole number");
            }
            return number;
        }

        Duration duration(String key, Duration fallback) {
            if (!has(key)) {
                return fallback;
            }
            try {
                return parseDuration(child(key).text());
            } catch (IllegalArgumentException e) {
                throw child(key).error(e.getMessage());
            }
        }

        URI uri(String text) {
            try {
                URI uri = new URI(text);
                if (uri.getScheme() == null || !uri.getScheme().startsWith("http")) {
                    throw error(String.format("'%s' is not an http(s) URL", text));
                }
                return uri;
            } catch (URISyntaxException e) {
                throw error(String.format("'%s' is not a URL: %s", text, e.getMessage()));
            }
        }
    }
}
