package io.vigil.notifier.dispatch;

import java.util.HashMap;
import java.util.Map;

/** Settlements that remember how many obligations each record still has. */
final class RecordedSettlements implements Settlements {

    private final Map<RecordPosition, Integer> open = new HashMap<>();

    @Override
    public void track(RecordPosition position, int obligations) {
        open.merge(position, obligations, Integer::sum);
    }

    @Override
    public void settle(RecordPosition position) {
        Integer left = open.get(position);
        if (left == null || left == 0) {
            throw new AssertionError("settled more often than tracked: " + position);
        }
        open.put(position, left - 1);
    }

    /** Obligations still open over all records. */
    int open() {
        return open.values().stream().mapToInt(Integer::intValue).sum();
    }

    int open(RecordPosition position) {
        return open.getOrDefault(position, 0);
    }
}
