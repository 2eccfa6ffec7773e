package io.vigil.notifier.delivery;

/**
 * Delivers a message to one integration (an SMTP server, a Slack webhook, ...). One attempt per
 * call; retries belong to the caller.
 */
@FunctionalInterface
public interface Sender {

    /**
     * Sends once; returns only when the receiver accepted the message.
     *
     * @throws DeliveryException if it did not, saying whether trying again can help
     */
    void send(Message message) throws DeliveryException;
}
