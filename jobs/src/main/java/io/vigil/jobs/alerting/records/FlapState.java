package io.vigil.jobs.alerting.records;

import io.vigil.schemas.AlertEvent;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;

/**
 * What the flapping gate keeps of one alert (fingerprint): the last event it published while the
 * alert is active, and while the alert flaps, the flapping alert and the newest held event.
 */
public class FlapState {
    /** How Flink serialises flap states. */
    public static final TypeInformation<FlapState> TYPE = Types.POJO(FlapState.class, fields());

    private static Map<String, TypeInformation<?>> fields() {
        Map<String, TypeInformation<?>> fields = new HashMap<>();
        fields.put("published", new AvroTypeInfo<>(AlertEvent.class));
        fields.put("flapping", new AvroTypeInfo<>(AlertEvent.class));
        fields.put("held", new AvroTypeInfo<>(AlertEvent.class));
        fields.put("wakeUpAt", Types.LONG);
        return fields;
    }

    /** The last event published, or null if that was a resolve (nothing active downstream). */
    public AlertEvent published;

    /** While flapping: the firing event of the flapping alert; null otherwise. */
    public AlertEvent flapping;

    /** While flapping: the newest event held back, or null if none arrived. */
    public AlertEvent held;

    /** While flapping: the processing-time timer that ends it. */
    public long wakeUpAt;

    public FlapState() {}

    /** Whether nothing is left worth keeping. */
    public boolean isEmpty() {
        return published == null && flapping == null;
    }
}
