package io.vigil.notifier.dispatch;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** Decides whether an alert's notifications are muted right now, by a silence or an inhibition. */
@FunctionalInterface
public interface Muting {

    /** Nothing is muted. */
    Muting NONE = (labels, now) -> Optional.empty();

    /**
     * Why an alert with these labels is muted at {@code now}, e.g. {@code silence 4f1c...}, or
     * empty if it is not.
     */
    Optional<String> mutedBy(Map<String, String> labels, Instant now);
}
