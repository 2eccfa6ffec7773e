package io.vigil.notifier.dispatch;

import static io.vigil.notifier.Alerts.T0;
import static io.vigil.notifier.Alerts.event;
import static io.vigil.notifier.Alerts.firing;
import static io.vigil.notifier.Alerts.resolved;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.notifier.config.ConfigLoader;
import io.vigil.notifier.routing.Route;
import io.vigil.schemas.AlertEvent;
import io.vigil.schemas.AlertState;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Grouping and timing with a controlled clock: group_wait, group_interval and repeat_interval as in
 * Alertmanager, muting at flush time, resolved notifications (also while silenced), and which
 * records each step settles.
 */
class DispatcherTest {

    private static final Route ROUTE =
            ConfigLoader.parse(
                            """
                            route:
                              receiver: ops
                              group_by: [alertname]
                              group_wait: 30s
                              group_interval: 5m
                              repeat_interval: 4h
                              routes:
                                - matchers: ['severity="critical"']
                                  receiver: pager
                                  continue: true
                                - matchers: ['alertname="Down"']
                                  receiver: ops
                            receivers: [{name: ops}, {name: pager}]
                            """)
                    .route();

    private static final Map<String, String> DB1 =
            Map.of("alertname", "DiskFull", "instance", "db-1");
    private static final Map<String, String> DB2 =
            Map.of("alertname", "DiskFull", "instance", "db-2");
    private static final Instant AFTER_GROUP_WAIT = T0.plusSeconds(30);
    private static final Instant AFTER_GROUP_INTERVAL =
            AFTER_GROUP_WAIT.plus(Duration.ofMinutes(5));

    private final RecordedSettlements settlements = new RecordedSettlements();
    private final Map<String, String> mutes = new HashMap<>();
    private final Muting muting =
            (labels, now) -> Optional.ofNullable(mutes.get(labels.getOrDefault("instance", "")));
    private final Dispatcher dispatcher = new Dispatcher(ROUTE, muting, settlements);
    private long offset;

    @Test
    void aNewGroupWaitsGroupWaitThenNotifiesAllItsAlertsAtOnce() {
        add(firing("a", DB1, T0), T0);
        add(firing("b", DB2, T0.plusSeconds(10)), T0.plusSeconds(10));

        assertThat(dispatcher.due(AFTER_GROUP_WAIT.minusMillis(1))).isEmpty();
        List<Flush> flushes = dispatcher.due(AFTER_GROUP_WAIT);

        assertThat(flushes)
                .singleElement()
                .satisfies(
                        flush -> {
                            assertThat(flush.receiver()).isEqualTo("ops");
                            assertThat(flush.groupKey()).isEqualTo("{}:{alertname=\"DiskFull\"}");
                            assertThat(flush.alerts())
                                    .extracting(AlertEvent::getFingerprint)
                                    .containsExactly("a", "b");
                            assertThat(flush.claimIds()).containsExactlyInAnyOrder("a#1", "b#1");
                            assertThat(flush.repeat()).isFalse();
                        });
        assertThat(settlements.open()).as("settled only once delivered").isEqualTo(2);
        dispatcher.completed(flushes.get(0).id(), AFTER_GROUP_WAIT);
        assertThat(settlements.open()).isZero();
    }

    @Test
    void aGroupWithAFlushInFlightWaitsForIt() {
        add(firing("a", DB1, T0), T0);
        Flush first = dispatcher.due(AFTER_GROUP_WAIT).get(0);
        add(firing("b", DB2, T0), AFTER_GROUP_WAIT);

        assertThat(dispatcher.due(AFTER_GROUP_INTERVAL)).as("a still in flight").isEmpty();
        dispatcher.completed(first.id(), AFTER_GROUP_INTERVAL);

        assertThat(dispatcher.due(AFTER_GROUP_INTERVAL.plusSeconds(1)))
                .singleElement()
                .satisfies(flush -> assertThat(flush.claimIds()).containsExactly("b#1"));
    }

    @Test
    void laterChangesWaitForGroupIntervalAndAnnounceOnlyNewEvents() {
        add(firing("a", DB1, T0), T0);
        complete(dispatcher.due(AFTER_GROUP_WAIT), AFTER_GROUP_WAIT);

        add(firing("b", DB2, T0.plusSeconds(40)), T0.plusSeconds(40));
        assertThat(dispatcher.due(AFTER_GROUP_INTERVAL.minusMillis(1))).isEmpty();
        List<Flush> second = dispatcher.due(AFTER_GROUP_INTERVAL);

        assertThat(second)
                .singleElement()
                .satisfies(
                        flush -> {
                            assertThat(flush.alerts())
                                    .extracting(AlertEvent::getFingerprint)
                                    .containsExactly("a", "b");
                            assertThat(flush.claimIds()).containsExactly("b#1");
                        });
    }

    @Test
    void nothingNewMeansNoNotificationUntilRepeatInterval() {
        add(firing("a", DB1, T0), T0);
        complete(dispatcher.due(AFTER_GROUP_WAIT), AFTER_GROUP_WAIT);

        assertThat(dispatcher.due(AFTER_GROUP_INTERVAL)).isEmpty();
        Instant repeatDue = AFTER_GROUP_WAIT.plus(Duration.ofHours(4));
        List<Flush> repeat = dispatcher.due(repeatDue.plus(Duration.ofMinutes(5)));

        assertThat(repeat)
                .singleElement()
                .satisfies(
                        flush -> {
                            assertThat(flush.repeat()).isTrue();
                            assertThat(flush.claimIds())
                                    .singleElement()
                                    .asString()
                                    .startsWith("repeat:");
                        });
    }

    @Test
    void aResolvedAlertIsAnnouncedOnceAndLeavesTheGroup() {
        add(firing("a", DB1, T0), T0);
        complete(dispatcher.due(AFTER_GROUP_WAIT), AFTER_GROUP_WAIT);
        add(resolved("a", DB1, T0.plusSeconds(60)), T0.plusSeconds(60));

        List<Flush> flushes = dispatcher.due(AFTER_GROUP_INTERVAL);
        assertThat(flushes)
                .singleElement()
                .satisfies(
                        flush -> {
                            assertThat(flush.alerts())
                                    .extracting(AlertEvent::getState)
                                    .containsExactly(AlertState.RESOLVED);
                            assertThat(flush.claimIds()).containsExactly("a#2");
                        });
        complete(flushes, AFTER_GROUP_INTERVAL);

        assertThat(dispatcher.groupCount()).isZero();
        assertThat(settlements.open()).isZero();
    }

    @Test
    void aPendingEpisodeThatEndsWithoutFiringIsNeverNotified() {
        add(event("p", 1, AlertState.PENDING, DB1, T0), T0);
        add(event("p", 2, AlertState.RESOLVED, DB1, T0.plusSeconds(20)), T0.plusSeconds(20));

        assertThat(dispatcher.due(AFTER_GROUP_WAIT)).isEmpty();
        assertThat(dispatcher.groupCount()).isZero();
        assertThat(settlements.open()).isZero();

        // Pending, then firing, then resolved: the firing and its resolution are notified.
        add(event("p", 1, AlertState.PENDING, DB1, T0), AFTER_GROUP_WAIT);
        add(event("p", 2, AlertState.FIRING, DB1, T0), AFTER_GROUP_WAIT);
        Instant later = AFTER_GROUP_WAIT.plusSeconds(30);
        List<Flush> fired = dispatcher.due(later);
        assertOneFlushOf(fired, AlertState.FIRING);
        complete(fired, later);
        add(event("p", 3, AlertState.RESOLVED, DB1, later), later);
        Instant resolvedAt = later.plus(Duration.ofMinutes(5));
        assertOneFlushOf(dispatcher.due(resolvedAt), AlertState.RESOLVED);
    }

    /** One flush, of alerts in these states. */
    private static void assertOneFlushOf(List<Flush> flushes, AlertState... states) {
        assertThat(flushes)
                .singleElement()
                .satisfies(
                        flush ->
                                assertThat(flush.alerts())
                                        .extracting(AlertEvent::getState)
                                        .containsExactly(states));
    }

    @Test
    void pendingEventsAndReplayedOlderTransitionsAreNotNotified() {
        add(event("p", 1, AlertState.PENDING, DB1, T0), T0);
        assertThat(dispatcher.groupCount()).isZero();

        add(resolved("a", DB1, T0), T0);
        RecordPosition replay = add(firing("a", DB1, T0), T0);

        assertThat(settlements.open(replay)).isZero();
        assertThat(dispatcher.due(AFTER_GROUP_WAIT))
                .singleElement()
                .satisfies(flush -> assertThat(flush.claimIds()).containsExactly("a#2"));
    }

    @Test
    void mutedAlertsAreLeftOutAndAnnouncedWhenTheMuteEnds() {
        mutes.put("db-1", "silence s1");
        add(firing("a", DB1, T0), T0);
        add(firing("b", DB2, T0), T0);

        List<Flush> first = dispatcher.due(AFTER_GROUP_WAIT);
        assertThat(first.get(0).alerts())
                .extracting(AlertEvent::getFingerprint)
                .containsExactly("b");
        complete(first, AFTER_GROUP_WAIT);
        assertThat(settlements.open()).as("the muted record needs nothing more").isZero();

        mutes.clear();
        assertThat(dispatcher.due(AFTER_GROUP_INTERVAL))
                .singleElement()
                .satisfies(flush -> assertThat(flush.claimIds()).containsExactly("a#1"));
    }

    @Test
    void aResolutionWhileSilencedIsStillSentIfTheFiringWasNotified() {
        add(firing("a", DB1, T0), T0);
        add(firing("b", DB2, T0), T0);
        complete(dispatcher.due(AFTER_GROUP_WAIT), AFTER_GROUP_WAIT);

        mutes.put("db-1", "silence s1");
        mutes.put("db-2", "silence s1");
        add(resolved("a", DB1, T0.plusSeconds(60)), T0.plusSeconds(60));
        List<Flush> flushes = dispatcher.due(AFTER_GROUP_INTERVAL);

        assertThat(flushes)
                .singleElement()
                .satisfies(
                        flush -> {
                            assertThat(flush.alerts())
                                    .as(
                                            "the silenced firing alert b is left out, a's"
                                                    + " resolution is not")
                                    .extracting(AlertEvent::getEventId)
                                    .containsExactly("a#2");
                        });
    }

    @Test
    void aResolutionOfAnAlertNeverNotifiedWhileSilencedIsDropped() {
        mutes.put("db-1", "silence s1");
        add(firing("a", DB1, T0), T0);
        assertThat(dispatcher.due(AFTER_GROUP_WAIT)).isEmpty();
        add(resolved("a", DB1, T0.plusSeconds(60)), T0.plusSeconds(60));

        assertThat(dispatcher.due(AFTER_GROUP_INTERVAL)).isEmpty();
        assertThat(dispatcher.groupCount()).isZero();
        assertThat(settlements.open()).isZero();
    }

    @Test
    void aResolutionReadAfterATakeoverIsSentEvenWhileSilenced() {
        // This replica never saw a fire: the replica that did may have told the receiver.
        mutes.put("db-1", "silence s1");
        add(resolved("a", DB1, T0.plusSeconds(60)), T0.plusSeconds(60));

        assertThat(dispatcher.due(AFTER_GROUP_INTERVAL))
                .singleElement()
                .satisfies(flush -> assertThat(flush.claimIds()).containsExactly("a#2"));
    }

    @Test
    void continueSendsTheAlertToEveryMatchingRouteAndSettlesAfterBoth() {
        Map<String, String> critical = Map.of("alertname", "Down", "severity", "critical");
        RecordPosition position = add(firing("c", critical, T0), T0);
        assertThat(settlements.open(position)).isEqualTo(2);

        List<Flush> flushes = dispatcher.due(AFTER_GROUP_WAIT);
        assertThat(flushes).extracting(Flush::receiver).containsExactlyInAnyOrder("pager", "ops");
        dispatcher.completed(flushes.get(0).id(), AFTER_GROUP_WAIT);
        assertThat(settlements.open(position)).isEqualTo(1);
        dispatcher.completed(flushes.get(1).id(), AFTER_GROUP_WAIT);
        assertThat(settlements.open(position)).isZero();
    }

    @Test
    void revokedPartitionsAreForgotten() {
        add(firing("a", DB1, T0), T0);
        dispatcher.revoke(java.util.Set.of(0));

        assertThat(dispatcher.due(AFTER_GROUP_WAIT)).isEmpty();
        assertThat(dispatcher.groupCount()).isZero();
    }

    private RecordPosition add(AlertEvent event, Instant now) {
        RecordPosition position = new RecordPosition(0, offset++);
        dispatcher.add(event, position, now);
        return position;
    }

    private void complete(List<Flush> flushes, Instant now) {
        assertThat(flushes).isNotEmpty();
        flushes.forEach(flush -> dispatcher.completed(flush.id(), now));
    }
}
