package io.vigil.bench.alerting;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the alerts of Alertmanager's webhook payload (version 4), which Alertmanager and Vigil's
 * notifier both post: {@code {"version": "4", "status": ..., "alerts": [{"status": "firing",
 * "labels": {...}, "fingerprint": ...}, ...]}}.
 */
public final class WebhookAlerts {
    private static final ObjectMapper JSON = new ObjectMapper();

    private WebhookAlerts() {}

    /**
     * One alert of a payload.
     *
     * @param status {@code firing} or {@code resolved}
     * @param labels its labels, e.g. {@code alertname} and {@code host}
     * @param fingerprint the sender's identity of the alert
     */
    public record Alert(String status, Map<String, String> labels, String fingerprint) {
        public boolean firing() {
            return status.equals("firing");
        }
    }

    /**
     * The alerts of a payload.
     *
     * @throws IOException if the body is not JSON or not a version 4 payload with an alert list
     */
    public static List<Alert> parse(byte[] body) throws IOException {
        JsonNode payload = JSON.readTree(body);
        if (payload == null || !payload.path("version").asText().equals("4")) {
            throw new IOException("not an Alertmanager webhook payload of version 4");
        }
        JsonNode alerts = payload.path("alerts");
        if (!alerts.isArray()) {
            throw new IOException("the webhook payload has no alerts list");
        }
        List<Alert> parsed = new ArrayList<>();
        for (JsonNode alert : alerts) {
            Map<String, String> labels = new TreeMap<>();
            alert.path("labels")
                    .fields()
                    .forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
            String status = alert.path("status").asText("");
            if (!status.equals("firing") && !status.equals("resolved")) {
                throw new IOException(
                        String.format("alert status '%s' is neither firing nor resolved", status));
            }
            parsed.add(new Alert(status, labels, alert.path("fingerprint").asText("")));
        }
        return parsed;
    }
}
