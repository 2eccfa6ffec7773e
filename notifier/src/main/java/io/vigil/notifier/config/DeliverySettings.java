package io.vigil.notifier.config;

import java.time.Duration;

/**
 * How notifications are delivered, from the {@code notifier:} section of the configuration.
 *
 * @param maxPerSecond storm control: the most notifications per second to one integration; what
 *     queues up beyond is summarised in one message
 * @param initialBackoff first retry delay of a failed delivery
 * @param maxBackoff longest retry delay; retries never stop, a notification is never dropped
 * @param lease how long a claim in the notification log protects a delivery in progress; a replica
 *     that dies holding one delays that notification by at most this long
 * @param requestTimeout connect and read timeout of one delivery attempt
 * @param externalUrl the notifier's own URL, sent in payloads as {@code externalURL}
 */
public record DeliverySettings(
        int maxPerSecond,
        Duration initialBackoff,
        Duration maxBackoff,
        Duration lease,
        Duration requestTimeout,
        String externalUrl) {

    public static final DeliverySettings DEFAULT =
            new DeliverySettings(
                    10,
                    Duration.ofSeconds(1),
                    Duration.ofMinutes(5),
                    Duration.ofSeconds(60),
                    Duration.ofSeconds(10),
                    "");

    public DeliverySettings {
        if (maxPerSecond < 1) {
            throw new IllegalArgumentException(
                    String.format(
                            "max_notifications_per_second must be at least 1: %s", maxPerSecond));
        }
        if (lease.compareTo(requestTimeout.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException(
                    String.format(
                            "lease (%s) must be at least twice the request_timeout (%s), or a"
                                    + " claim could expire while a delivery is in flight",
                            lease, requestTimeout));
        }
    }
}
