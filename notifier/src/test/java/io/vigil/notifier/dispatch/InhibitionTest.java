package io.vigil.notifier.dispatch;

import static io.vigil.notifier.Alerts.T0;
import static io.vigil.notifier.Alerts.firing;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.notifier.config.ConfigLoader;
import io.vigil.notifier.config.NotifierConfig;
import io.vigil.notifier.inhibit.Inhibitor;
import io.vigil.schemas.AlertEvent;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A critical alert mutes the warning of the same instance, and only while it fires. */
class InhibitionTest {

    private static final NotifierConfig CONFIG =
            ConfigLoader.parse(
                    """
                    route: {receiver: ops, group_by: [instance], group_wait: 0s}
                    receivers: [{name: ops}]
                    inhibit_rules:
                      - source_matchers: ['severity="critical"']
                        target_matchers: ['severity="warning"']
                        equal: [instance]
                    """);

    private static final Map<String, String> CRITICAL_DB1 =
            Map.of("alertname", "Down", "severity", "critical", "instance", "db-1");
    private static final Map<String, String> WARNING_DB1 =
            Map.of("alertname", "SlowQueries", "severity", "warning", "instance", "db-1");
    private static final Map<String, String> WARNING_DB2 =
            Map.of("alertname", "SlowQueries", "severity", "warning", "instance", "db-2");

    private final Inhibitor inhibitor = new Inhibitor(CONFIG.inhibitRules());

    @Test
    void aFiringCriticalAlertMutesTheMatchingWarningOnly() {
        inhibitor.observe("c", AlertLabels.of(firing("c", CRITICAL_DB1, T0)), true);

        assertThat(inhibitor.inhibitedBy(WARNING_DB1, T0)).contains("c");
        assertThat(inhibitor.inhibitedBy(WARNING_DB2, T0)).as("other instance").isEmpty();
        assertThat(inhibitor.inhibitedBy(CRITICAL_DB1, T0)).as("never itself").isEmpty();

        inhibitor.observe("c", CRITICAL_DB1, false);
        assertThat(inhibitor.inhibitedBy(WARNING_DB1, T0)).isEmpty();
    }

    @Test
    void theDispatcherLeavesInhibitedAlertsOut() {
        inhibitor.observe("c", AlertLabels.of(firing("c", CRITICAL_DB1, T0)), true);
        Dispatcher dispatcher =
                new Dispatcher(
                        CONFIG.route(),
                        (labels, now) -> inhibitor.inhibitedBy(labels, now),
                        new RecordedSettlements());
        dispatcher.add(firing("c", CRITICAL_DB1, T0), new RecordPosition(0, 0), T0);
        dispatcher.add(firing("w", WARNING_DB1, T0), new RecordPosition(0, 1), T0);

        List<Flush> flushes = dispatcher.due(T0);

        assertThat(flushes)
                .singleElement()
                .satisfies(
                        flush ->
                                assertThat(flush.alerts())
                                        .extracting(AlertEvent::getFingerprint)
                                        .containsExactly("c"));
    }
}
