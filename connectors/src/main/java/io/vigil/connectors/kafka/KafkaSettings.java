package io.vigil.connectors.kafka;

import java.io.Serializable;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * Where Kafka is and how to talk to it: bootstrap servers plus any client properties (security,
 * timeouts) that every Vigil client of this cluster shares.
 *
 * @param bootstrapServers comma-separated host:port list
 * @param clientProperties extra client properties, applied to consumers, producers and admins
 */
public record KafkaSettings(String bootstrapServers, Map<String, String> clientProperties)
        implements Serializable {

    public KafkaSettings {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        if (bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrapServers must name at least one broker");
        }
        clientProperties = Map.copyOf(clientProperties);
    }

    /** Settings with no extra client properties. */
    public static KafkaSettings of(String bootstrapServers) {
        return new KafkaSettings(bootstrapServers, Map.of());
    }

    /** The client properties, with the bootstrap servers, as {@link Properties}. */
    public Properties toProperties() {
        Properties properties = new Properties();
        properties.putAll(clientProperties);
        properties.put("bootstrap.servers", bootstrapServers);
        return properties;
    }
}
