package io.vigil.notifier.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * POSTs a JSON body and classifies the answer: 2xx is delivered; 408, 429 and 5xx or no answer at
 * all are transient; any other status is a rejection. Every request carries the notification id as
 * {@code Idempotency-Key}, so receivers can deduplicate.
 */
final class JsonPoster {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How much of an error response to quote in the log. */
    private static final int MAX_QUOTED = 200;

    private final HttpClient client;
    private final Duration timeout;

    JsonPoster(HttpClient client, Duration timeout) {
        this.client = client;
        this.timeout = timeout;
    }

    /** An HTTP/1.1 client with the given connect timeout, shared by all HTTP integrations. */
    static HttpClient client(Duration connectTimeout) {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .build();
    }

    void post(URI url, Object body, Message message) throws DeliveryException {
        String json;
        try {
            json = JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new DeliveryException("cannot render the payload: " + e.getMessage(), false, e);
        }
        HttpRequest request =
                HttpRequest.newBuilder(url)
                        .timeout(timeout)
                        .header("Content-Type", "application/json")
                        .header("User-Agent", "vigil-notifier")
                        .header("Idempotency-Key", message.notificationId())
                        .header("X-Vigil-Notifier", message.sender())
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new DeliveryException(
                    String.format(
                            "POST %s failed: %s: %s",
                            url, e.getClass().getSimpleName(), e.getMessage()),
                    true,
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeliveryException(String.format("POST %s interrupted", url), true, e);
        }
        int status = response.statusCode();
        if (status / 100 == 2) {
            return;
        }
        String quoted = response.body() == null ? "" : response.body().strip();
        if (quoted.length() > MAX_QUOTED) {
            quoted = quoted.substring(0, MAX_QUOTED) + "...";
        }
        boolean transientFailure = status == 408 || status == 429 || status >= 500;
        throw new DeliveryException(
                String.format(
                        "POST %s answered HTTP %s%s",
                        url, status, quoted.isEmpty() ? "" : ": " + quoted),
                transientFailure);
    }
}
