package io.vigil.notifier.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A node of the routing tree: which alerts it takes (its matchers), where their notifications go
 * (its receiver), how they are grouped and when they are sent. Children inherit what they do not
 * set; {@link io.vigil.notifier.config.ConfigLoader} resolves that, so every node here is complete.
 *
 * <p>Matching follows Alertmanager: an alert enters the root, then descends depth-first into the
 * first child whose matchers it satisfies; with {@code continue: true} on that child it also tries
 * the later siblings. A node none of whose children took the alert handles it itself.
 *
 * <pre>{@code
 * List<Route> routes = root.match(Map.of("team", "db", "severity", "critical"));
 * String group = routes.get(0).groupKey(labels);
 * }</pre>
 */
public final class Route {

    /** {@code group_by: ['...']}: every label, so each alert is its own group. */
    public static final String ALL_LABELS = "...";

    private final String path;
    private final String receiver;
    private final List<LabelMatcher> matchers;
    private final List<String> groupBy;
    private final Timings timings;
    private final boolean continueMatching;
    private final List<Route> routes;

    /**
     * @param path the node's place in the tree, its matchers from the root down, e.g. {@code
     *     {}/{team="db"}}; part of every group key, so two routes never share a group
     * @param receiver the receiver's name
     * @param matchers the conditions an alert must satisfy to enter this node
     * @param groupBy the labels whose values make up a group, or {@link #ALL_LABELS}
     * @param timings when the node's groups notify
     * @param continueMatching whether later siblings are tried after this node took an alert
     * @param routes the children, in order
     */
    public Route(
            String path,
            String receiver,
            List<LabelMatcher> matchers,
            List<String> groupBy,
            Timings timings,
            boolean continueMatching,
            List<Route> routes) {
        this.path = Objects.requireNonNull(path, "path");
        this.receiver = Objects.requireNonNull(receiver, "receiver");
        this.matchers = List.copyOf(matchers);
        this.groupBy = List.copyOf(groupBy);
        this.timings = Objects.requireNonNull(timings, "timings");
        this.continueMatching = continueMatching;
        this.routes = List.copyOf(routes);
    }

    /** The nodes that handle an alert with these labels, in tree order; never empty at the root. */
    public List<Route> match(Map<String, String> labels) {
        List<Route> handlers = new ArrayList<>();
        if (!LabelMatcher.all(matchers, labels)) {
            return handlers;
        }
        for (Route child : routes) {
            List<Route> taken = child.match(labels);
            handlers.addAll(taken);
            if (!taken.isEmpty() && !child.continueMatching) {
                break;
            }
        }
        if (handlers.isEmpty()) {
            handlers.add(this);
        }
        return handlers;
    }

    /** The labels that name an alert's group in this node: the {@code group_by} labels it has. */
    public Map<String, String> groupLabels(Map<String, String> labels) {
        if (groupBy.contains(ALL_LABELS)) {
            return new TreeMap<>(labels);
        }
        Map<String, String> group = new TreeMap<>();
        for (String name : groupBy) {
            String value = labels.get(name);
            if (value != null) {
                group.put(name, value);
            }
        }
        return group;
    }

    /**
     * The identity of an alert's group: this node's path and the group labels, in Alertmanager's
     * form, e.g. {@code {}/{team="db"}:{alertname="DiskFull"}}. Deterministic, so every replica
     * computes the same key: the notification log is partitioned by it.
     */
    public String groupKey(Map<String, String> labels) {
        return path + ":" + render(groupLabels(labels));
    }

    /** Labels as {@code {a="1", b="2"}}, sorted by name. */
    public static String render(Map<String, String> labels) {
        StringBuilder text = new StringBuilder("{");
        new TreeMap<>(labels)
                .forEach(
                        (name, value) -> {
                            if (text.length() > 1) {
                                text.append(", ");
                            }
                            text.append(name)
                                    .append("=\"")
                                    .append(value.replace("\\", "\\\\").replace("\"", "\\\""))
                                    .append('"');
                        });
        return text.append('}').toString();
    }

    public String path() {
        return path;
    }

    public String receiver() {
        return receiver;
    }

    public List<LabelMatcher> matchers() {
        return matchers;
    }

    public List<String> groupBy() {
        return groupBy;
    }

    public Timings timings() {
        return timings;
    }

    public boolean continueMatching() {
        return continueMatching;
    }

    public List<Route> routes() {
        return routes;
    }

    @Override
    public String toString() {
        return path + " -> " + receiver;
    }
}
