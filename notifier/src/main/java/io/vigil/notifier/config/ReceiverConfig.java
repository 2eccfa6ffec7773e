package io.vigil.notifier.config;

import java.util.List;
import java.util.Objects;

/**
 * A named destination of notifications with its integrations.
 *
 * @param name referenced by routes
 * @param integrations each is delivered to separately; none means notifications are dropped on
 *     purpose (Alertmanager's "null receiver"), which is logged once per notification
 */
public record ReceiverConfig(String name, List<IntegrationConfig> integrations) {
    public ReceiverConfig {
        Objects.requireNonNull(name, "name");
        integrations = List.copyOf(integrations);
    }
}
