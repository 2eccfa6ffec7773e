package io.vigil.notifier.silence;

import io.vigil.schemas.Silence;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Silence storage in memory that feeds a registry directly, as the topic would. */
final class InMemorySilenceStorage implements SilenceStorage {

    private final Map<String, Silence> silences = new ConcurrentHashMap<>();
    private final SilenceRegistry registry;

    InMemorySilenceStorage(SilenceRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void save(Silence silence, Instant now) {
        silences.put(silence.getId(), silence);
        registry.apply(silence.getId(), silence);
    }

    @Override
    public Optional<Silence> expire(String id, Instant now) {
        Silence silence = silences.get(id);
        if (silence == null) {
            return Optional.empty();
        }
        Silence expired = Silence.newBuilder(silence).setEndsAt(now.toEpochMilli()).build();
        silences.put(id, expired);
        registry.apply(id, null);
        return Optional.of(expired);
    }

    @Override
    public Optional<Silence> get(String id) {
        return Optional.ofNullable(silences.get(id));
    }

    @Override
    public List<Silence> list() {
        return new ArrayList<>(silences.values());
    }
}
