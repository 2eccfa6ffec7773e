package io.vigil.notifier.silence;

import io.vigil.notifier.routing.LabelMatcher;
import io.vigil.schemas.Silence;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The silences this replica knows, as read from the compacted topic {@code vigil.silences}: every
 * replica reads all of it, so all mute the same alerts. Thread-safe: the topic's reader updates it
 * while the dispatcher asks it.
 */
public final class SilenceRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(SilenceRegistry.class);

    private record Active(List<LabelMatcher> matchers, long startsAt, long endsAt) {}

    private final Map<String, Active> silences = new ConcurrentHashMap<>();

    /**
     * Applies one record of the topic: a silence (new or changed) or, for null, its expiry. A
     * silence with invalid matchers is skipped with an error: the API never writes one, so it came
     * from another tool, and muting more or less than meant would be worse.
     */
    public void apply(String id, Silence silence) {
        if (silence == null) {
            silences.remove(id);
            return;
        }
        try {
            silences.put(
                    id,
                    new Active(
                            Silences.matchers(silence),
                            silence.getStartsAt(),
                            silence.getEndsAt()));
        } catch (InvalidSilenceException e) {
            LOG.error("Ignoring silence {} from the topic: {}", id, e.getMessage());
        }
    }

    /** The id of a silence muting these labels at {@code now}. */
    public Optional<String> silencedBy(Map<String, String> labels, Instant now) {
        long at = now.toEpochMilli();
        for (Map.Entry<String, Active> entry : silences.entrySet()) {
            Active silence = entry.getValue();
            if (silence.startsAt() <= at
                    && at < silence.endsAt()
                    && LabelMatcher.all(silence.matchers(), labels)) {
                return Optional.of(entry.getKey());
            }
        }
        return Optional.empty();
    }

    public int size() {
        return silences.size();
    }
}
