package io.vigil.notifier.config;

import java.net.URI;
import java.util.List;

/**
 * One way a receiver is reached; a receiver may have several (an email and a Slack channel), and
 * each is delivered, retried and logged on its own.
 */
public sealed interface IntegrationConfig {

    /** The type as in the configuration: {@code email}, {@code slack}, {@code webhook}, ... */
    String type();

    /** Whether resolved alerts are announced too. */
    boolean sendResolved();

    /**
     * SMTP through Jakarta Mail (Angus Mail).
     *
     * @param to recipients
     * @param from sender address
     * @param smarthost SMTP server as host:port
     * @param authUsername user for SMTP AUTH, or null for none
     * @param authPassword its password
     * @param requireTls whether STARTTLS is required
     */
    record Email(
            List<String> to,
            String from,
            String smarthost,
            String authUsername,
            String authPassword,
            boolean requireTls,
            boolean sendResolved)
            implements IntegrationConfig {
        public Email {
            to = List.copyOf(to);
        }

        @Override
        public String type() {
            return "email";
        }
    }

    /**
     * A Slack incoming webhook.
     *
     * @param apiUrl the webhook URL
     * @param channel overrides the webhook's channel, or null
     */
    record Slack(URI apiUrl, String channel, boolean sendResolved) implements IntegrationConfig {
        @Override
        public String type() {
            return "slack";
        }
    }

    /**
     * A generic webhook receiving Alertmanager's webhook payload (version 4).
     *
     * @param url where to POST
     * @param maxAlerts the most alerts per payload (the rest are counted in {@code
     *     truncatedAlerts}); 0 for no limit
     */
    record Webhook(URI url, int maxAlerts, boolean sendResolved) implements IntegrationConfig {
        @Override
        public String type() {
            return "webhook";
        }
    }

    /**
     * Forwards alerts to an existing Alertmanager through {@code POST /api/v2/alerts}.
     *
     * @param url the Alertmanager's base URL, e.g. {@code http://alertmanager:9093}
     */
    record Alertmanager(URI url, boolean sendResolved) implements IntegrationConfig {
        @Override
        public String type() {
            return "alertmanager";
        }
    }
}
