package io.vigil.jobs.alerting.functions;

import io.vigil.schemas.Aggregation;
import io.vigil.schemas.GroupLevel;
import io.vigil.schemas.Labels;
import io.vigil.schemas.Rule;
import io.vigil.schemas.SeriesIds;
import java.util.Map;

/**
 * The pure maths of group-level rules: which group a series belongs to, the group's key, how often
 * a group is evaluated, and the aggregation of its members' values.
 *
 * <p>A RACK group is (dc, cluster, rack), CLUSTER (dc, cluster), DC (dc), GLOBAL every series the
 * rule selects. A series without a label its rule's level needs belongs to no group of that rule.
 */
public final class Groups {
    /**
     * The shortest evaluation interval and aggregation window of a group: a member older than the
     * window drops out, so a window shorter than a second would empty groups between evaluations.
     */
    public static final long MIN_WINDOW_MS = 1_000;

    private Groups() {}

    /**
     * The labels of the group a series belongs to at a level, or null if the series lacks one of
     * them (an empty value counts as lacking).
     */
    public static Map<String, String> labels(GroupLevel level, Map<String, String> seriesLabels) {
        return switch (level) {
            case GLOBAL -> Map.of();
            case DC -> ofLabels(seriesLabels, Labels.DC);
            case CLUSTER -> ofLabels(seriesLabels, Labels.DC, Labels.CLUSTER);
            case RACK -> ofLabels(seriesLabels, Labels.DC, Labels.CLUSTER, Labels.RACK);
            case SERIES -> throw new IllegalArgumentException("a series is no group");
        };
    }

    private static Map<String, String> ofLabels(Map<String, String> seriesLabels, String... names) {
        String[] pairs = new String[names.length * 2];
        for (int i = 0; i < names.length; i++) {
            String value = seriesLabels.get(names[i]);
            if (value == null || value.isEmpty()) {
                return null;
            }
            pairs[2 * i] = names[i];
            pairs[2 * i + 1] = value;
        }
        return switch (names.length) {
            case 1 -> Map.of(pairs[0], pairs[1]);
            case 2 -> Map.of(pairs[0], pairs[1], pairs[2], pairs[3]);
            default -> Map.of(pairs[0], pairs[1], pairs[2], pairs[3], pairs[4], pairs[5]);
        };
    }

    /**
     * The key of a group of a rule: the series-id hash of rule id and group labels (at a few
     * thousand groups per rule a collision is as unlikely as one of series ids).
     */
    public static long id(String ruleId, Map<String, String> groupLabels) {
        return SeriesIds.of(ruleId, groupLabels);
    }

    /**
     * How often a group of the rule is evaluated: the job's interval, or the rule's window if that
     * is shorter (a member may not drop out unseen between two evaluations), at least a second.
     */
    public static long evaluationIntervalMs(Rule rule, long configuredMs) {
        return Math.max(MIN_WINDOW_MS, Math.min(configuredMs, rule.getWindowMs()));
    }

    /** The first evaluation time after {@code now} on a grid of {@code intervalMs}. */
    public static long nextEvaluation(long now, long intervalMs) {
        return (Math.floorDiv(now, intervalMs) + 1) * intervalMs;
    }

    /** The members' values of one evaluation, combined as every aggregation needs. */
    public static final class Aggregate {
        private long count;
        private double sum;
        private double min = Double.POSITIVE_INFINITY;
        private double max = Double.NEGATIVE_INFINITY;

        public void add(double value) {
            count++;
            sum += value;
            min = Math.min(min, value);
            max = Math.max(max, value);
        }

        public long count() {
            return count;
        }

        /**
         * The group's value, or NaN for a group without members: it has no average, and like
         * Prometheus' {@code sum by} it has no sum either, but it does have a count, 0, so that
         * {@code count below 3} fires when a rack's hosts all stop.
         */
        public double value(Aggregation aggregation) {
            if (aggregation == Aggregation.COUNT) {
                return count;
            }
            if (count == 0) {
                return Double.NaN;
            }
            return switch (aggregation) {
                case AVG -> sum / count;
                case SUM -> sum;
                case MIN -> min;
                case MAX -> max;
                case COUNT -> count;
            };
        }
    }
}
