package io.vigil.notifier;

import io.vigil.notifier.dispatch.RecordPosition;
import io.vigil.notifier.dispatch.Settlements;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Knows, per partition, up to which offset every record's notifications are delivered: the offset
 * the notifier may commit. A record with outstanding obligations holds back the commit of its
 * partition at its own offset, so that after a crash the replica that takes the partition over
 * reads it again and the notification log tells what is still owed.
 *
 * <p>Only the consumer thread uses it.
 */
final class OffsetTracker implements Settlements {

    /** Per partition: offsets with obligations left, and how many. */
    private final Map<Integer, TreeMap<Long, Integer>> outstanding = new HashMap<>();

    /** Per partition: the offset after the last record read. */
    private final Map<Integer, Long> next = new HashMap<>();

    @Override
    public void track(RecordPosition position, int obligations) {
        next.merge(position.partition(), position.offset() + 1, Math::max);
        if (obligations > 0) {
            outstanding
                    .computeIfAbsent(position.partition(), ignored -> new TreeMap<>())
                    .merge(position.offset(), obligations, Integer::sum);
        }
    }

    @Override
    public void settle(RecordPosition position) {
        TreeMap<Long, Integer> offsets = outstanding.get(position.partition());
        if (offsets == null) {
            return; // the partition was revoked meanwhile
        }
        offsets.computeIfPresent(position.offset(), (offset, left) -> left > 1 ? left - 1 : null);
    }

    /**
     * The offset to commit per partition: the first record with obligations left, or the offset
     * after the last record read if there is none.
     */
    Map<Integer, Long> committable() {
        Map<Integer, Long> result = new HashMap<>();
        next.forEach(
                (partition, after) -> {
                    TreeMap<Long, Integer> offsets = outstanding.get(partition);
                    result.put(
                            partition,
                            offsets == null || offsets.isEmpty() ? after : offsets.firstKey());
                });
        return result;
    }

    /** Records with obligations left, over all partitions. */
    int outstandingRecords() {
        return outstanding.values().stream().mapToInt(TreeMap::size).sum();
    }

    /** Forgets partitions this replica no longer reads. */
    void revoke(Set<Integer> partitions) {
        partitions.forEach(
                partition -> {
                    outstanding.remove(partition);
                    next.remove(partition);
                });
    }
}
