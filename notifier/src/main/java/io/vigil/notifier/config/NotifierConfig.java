package io.vigil.notifier.config;

import io.vigil.notifier.inhibit.InhibitRule;
import io.vigil.notifier.routing.Route;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The notifier's configuration, read from YAML in the spirit of Alertmanager's (see {@link
 * ConfigLoader} and the module README).
 *
 * @param route the root of the routing tree, complete (inheritance resolved)
 * @param receivers by name; every route's receiver is one of them
 * @param inhibitRules in file order
 * @param delivery retries, leases, storm control
 */
public record NotifierConfig(
        Route route,
        Map<String, ReceiverConfig> receivers,
        List<InhibitRule> inhibitRules,
        DeliverySettings delivery) {

    public NotifierConfig {
        Objects.requireNonNull(route, "route");
        receivers = Map.copyOf(receivers);
        inhibitRules = List.copyOf(inhibitRules);
        Objects.requireNonNull(delivery, "delivery");
    }

    /** A receiver that the loader checked exists. */
    public ReceiverConfig receiver(String name) {
        ReceiverConfig receiver = receivers.get(name);
        if (receiver == null) {
            throw new IllegalArgumentException(String.format("no receiver named '%s'", name));
        }
        return receiver;
    }
}
