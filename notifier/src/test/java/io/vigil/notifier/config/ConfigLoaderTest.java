package io.vigil.notifier.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.notifier.routing.Route;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The routing tree, inheritance, receivers and the errors a broken file gets. */
class ConfigLoaderTest {

    static final String EXAMPLE =
            """
            global:
              smtp_smarthost: mail.example.org:25
              smtp_from: vigil@example.org
            notifier:
              max_notifications_per_second: 5
              lease: 30s
            route:
              receiver: ops
              group_by: [alertname]
              group_wait: 10s
              routes:
                - matchers: ['team="db"']
                  receiver: db
                  group_by: [alertname, instance]
                  routes:
                    - matchers: ['severity="critical"']
                      receiver: pager
                      repeat_interval: 1h
                      continue: true
                    - matchers: ['severity=~"critical|warning"']
                - matchers: ['team="web"']
                  receiver: web
            receivers:
              - name: ops
                email_configs:
                  - to: ops@example.org
              - name: db
                slack_configs:
                  - api_url: http://127.0.0.1:1/slack
                    channel: '#db'
              - name: pager
                webhook_configs:
                  - url: http://127.0.0.1:1/page
                alertmanager_configs:
                  - url: http://127.0.0.1:1/
              - name: web
            inhibit_rules:
              - source_matchers: ['severity="critical"']
                target_matchers: ['severity="warning"']
                equal: [alertname, instance]
            """;

    private final NotifierConfig config = ConfigLoader.parse(EXAMPLE);

    @Test
    void routesDepthFirstWithContinue() {
        Map<String, String> dbCritical =
                Map.of("team", "db", "severity", "critical", "alertname", "DiskFull");

        assertThat(config.route().match(dbCritical))
                .extracting(Route::receiver)
                .containsExactly("pager", "db");
        assertThat(config.route().match(Map.of("team", "web")))
                .extracting(Route::receiver)
                .containsExactly("web");
        assertThat(config.route().match(Map.of("team", "db", "severity", "info")))
                .extracting(Route::receiver)
                .as("no child took it, so the db node handles it itself")
                .containsExactly("db");
        assertThat(config.route().match(Map.of()))
                .extracting(Route::receiver)
                .containsExactly("ops");
    }

    @Test
    void childrenInheritWhatTheyDoNotSet() {
        Route db = config.route().routes().get(0);
        Route pager = db.routes().get(0);

        assertThat(pager.groupBy()).containsExactly("alertname", "instance");
        assertThat(pager.timings().groupWait()).isEqualTo(Duration.ofSeconds(10));
        assertThat(pager.timings().groupInterval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(pager.timings().repeatInterval()).isEqualTo(Duration.ofHours(1));
        assertThat(db.routes().get(1).receiver()).isEqualTo("db");
    }

    @Test
    void groupKeysNameThePathAndTheGroupLabels() {
        Route pager = config.route().routes().get(0).routes().get(0);

        assertThat(
                        pager.groupKey(
                                Map.of(
                                        "team",
                                        "db",
                                        "severity",
                                        "critical",
                                        "alertname",
                                        "DiskFull",
                                        "instance",
                                        "db-1")))
                .isEqualTo(
                        "{}/{team=\"db\"}/{severity=\"critical\"}:{alertname=\"DiskFull\","
                                + " instance=\"db-1\"}");
    }

    @Test
    void readsReceiversInhibitionAndDeliverySettings() {
        IntegrationConfig.Email email =
                (IntegrationConfig.Email) config.receiver("ops").integrations().get(0);

        assertThat(email.smarthost()).isEqualTo("mail.example.org:25");
        assertThat(email.to()).containsExactly("ops@example.org");
        assertThat(config.receiver("pager").integrations())
                .extracting(IntegrationConfig::type)
                .containsExactly("webhook", "alertmanager");
        assertThat(config.receiver("web").integrations()).isEmpty();
        assertThat(config.inhibitRules()).hasSize(1);
        assertThat(config.delivery().maxPerSecond()).isEqualTo(5);
        assertThat(config.delivery().lease()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void parsesPrometheusDurations() {
        assertThat(ConfigLoader.parseDuration("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(ConfigLoader.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThatThrownBy(() -> ConfigLoader.parseDuration("5 minutes"))
                .hasMessage("'5 minutes' is not a duration; use e.g. 30s, 5m, 1h30m, 250ms");
    }

    @Test
    void errorsNameThePlaceInTheFile() {
        assertThatThrownBy(
                        () ->
                                ConfigLoader.parse(
                                        EXAMPLE.replace("group_wait: 10s", "group_wiat: 10s")))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageStartingWith("route: unknown key 'group_wiat'");
        assertThatThrownBy(
                        () ->
                                ConfigLoader.parse(
                                        EXAMPLE.replace(
                                                "severity=~\"critical|warning\"",
                                                "severity=~\"(\"")))
                .hasMessageStartingWith(
                        "route.routes[0].routes[1].matchers[0]: invalid matcher 'severity=~\"(\"':"
                                + " invalid regular expression");
        assertThatThrownBy(
                        () ->
                                ConfigLoader.parse(
                                        EXAMPLE.replace("receiver: web", "receiver: webb")))
                .hasMessageStartingWith("route.routes[1]: receiver 'webb' is not defined");
        assertThatThrownBy(() -> ConfigLoader.parse(EXAMPLE.replace("lease: 30s", "lease: 5s")))
                .hasMessageStartingWith("notifier: lease (PT5S) must be at least twice");
        assertThatThrownBy(() -> ConfigLoader.parse("route: {receiver: x}\nreceivers: []"))
                .hasMessage("receivers: at least one receiver is required");
    }

    @Test
    void groupByAllLabelsMakesEveryAlertItsOwnGroup() {
        NotifierConfig perAlert =
                ConfigLoader.parse(
                        """
                        route: {receiver: ops, group_by: ['...']}
                        receivers: [{name: ops}]
                        """);

        assertThat(perAlert.route().groupLabels(Map.of("a", "1", "b", "2")))
                .isEqualTo(Map.of("a", "1", "b", "2"));
        assertThat(List.of(perAlert.route().groupKey(Map.of("a", "1"))))
                .containsExactly("{}:{a=\"1\"}");
    }
}
