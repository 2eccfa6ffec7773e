package io.vigil.notifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.notifier.dispatch.RecordPosition;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A partition's commit stops at its first record whose notifications are not delivered. */
class OffsetTrackerTest {

    private final OffsetTracker tracker = new OffsetTracker();

    @Test
    void commitsUpToTheFirstRecordWithObligationsLeft() {
        tracker.track(new RecordPosition(0, 10), 0);
        tracker.track(new RecordPosition(0, 11), 2);
        tracker.track(new RecordPosition(0, 12), 1);
        tracker.track(new RecordPosition(1, 5), 0);

        assertThat(tracker.committable()).isEqualTo(Map.of(0, 11L, 1, 6L));

        tracker.settle(new RecordPosition(0, 12));
        tracker.settle(new RecordPosition(0, 11));
        assertThat(tracker.committable()).containsEntry(0, 11L);

        tracker.settle(new RecordPosition(0, 11));
        assertThat(tracker.committable()).containsEntry(0, 13L);
        assertThat(tracker.outstandingRecords()).isZero();
    }

    @Test
    void forgetsRevokedPartitionsAndIgnoresTheirLateSettlements() {
        tracker.track(new RecordPosition(0, 1), 1);
        tracker.revoke(Set.of(0));
        tracker.settle(new RecordPosition(0, 1));

        assertThat(tracker.committable()).isEmpty();
    }
}
