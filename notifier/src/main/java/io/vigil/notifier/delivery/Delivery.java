package io.vigil.notifier.delivery;

import io.vigil.notifier.dispatch.Flush;
import io.vigil.schemas.AlertEvent;
import java.util.List;

/**
 * One flush on its way to one integration.
 *
 * @param flush what the group owes
 * @param alerts the alerts this integration shows (without resolved ones if it does not want them)
 */
record Delivery(Flush flush, List<AlertEvent> alerts) {}
