package io.vigil.notifier.silence;

import io.vigil.schemas.Silence;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Where the silence API keeps silences; {@link SilenceStore} is the real one. */
public interface SilenceStorage {

    /** Stores a validated silence and makes it known to every replica. */
    void save(Silence silence, Instant now);

    /** Ends a silence now; empty if there is none with that id. */
    Optional<Silence> expire(String id, Instant now);

    Optional<Silence> get(String id);

    /** Every stored silence, active, pending and recently expired. */
    List<Silence> list();
}
