package io.vigil.notifier.delivery;

import io.vigil.notifier.config.IntegrationConfig;
import jakarta.mail.Authenticator;
import jakarta.mail.MessagingException;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.Properties;

/**
 * Sends notifications as plain-text email over SMTP with Jakarta Mail (Angus Mail).
 *
 * <p>The Message-ID is derived from the notification id, so a notification sent twice (a replica
 * that died after the server accepted the mail but before the log recorded it) reaches mailboxes
 * with the same Message-ID, which mail clients show once.
 */
final class EmailSender implements Sender {

    private final IntegrationConfig.Email config;
    private final Session session;

    EmailSender(IntegrationConfig.Email config, Duration timeout) {
        this.config = config;
        String[] hostAndPort = config.smarthost().split(":");
        Properties properties = new Properties();
        properties.put("mail.smtp.host", hostAndPort[0]);
        properties.put("mail.smtp.port", hostAndPort[1]);
        properties.put("mail.smtp.connectiontimeout", Long.toString(timeout.toMillis()));
        properties.put("mail.smtp.timeout", Long.toString(timeout.toMillis()));
        properties.put("mail.smtp.writetimeout", Long.toString(timeout.toMillis()));
        properties.put("mail.smtp.starttls.enable", "true");
        properties.put("mail.smtp.starttls.required", Boolean.toString(config.requireTls()));
        Authenticator authenticator = null;
        if (config.authUsername() != null) {
            properties.put("mail.smtp.auth", "true");
            PasswordAuthentication credentials =
                    new PasswordAuthentication(
                            config.authUsername(),
                            config.authPassword() == null ? "" : config.authPassword());
            authenticator =
                    new Authenticator() {
                        @Override
                        protected PasswordAuthentication getPasswordAuthentication() {
                            return credentials;
                        }
                    };
        }
        this.session = Session.getInstance(properties, authenticator);
    }

    @Override
    public void send(Message message) throws DeliveryException {
        MimeMessage mail;
        try {
            mail = new FixedIdMessage(session, "<" + message.notificationId() + "@vigil.notifier>");
            mail.setFrom(new InternetAddress(config.from(), true));
            for (String to : config.to()) {
                mail.addRecipient(
                        jakarta.mail.Message.RecipientType.TO, new InternetAddress(to, true));
            }
            mail.setSubject(Texts.subject(message), StandardCharsets.UTF_8.name());
            mail.setText(Texts.body(message), StandardCharsets.UTF_8.name());
            mail.setSentDate(new Date());
            mail.setHeader("X-Vigil-Group-Key", message.groupKey());
            mail.setHeader("X-Vigil-Notifier", message.sender());
        } catch (AddressException e) {
            throw new DeliveryException(
                    String.format("invalid email address: %s", e.getMessage()), false, e);
        } catch (MessagingException e) {
            throw new DeliveryException("cannot build the email: " + e.getMessage(), false, e);
        }
        try {
            Transport.send(mail);
        } catch (SendFailedException e) {
            // The server refused a sender or recipient: waiting will not change its mind.
            throw new DeliveryException(
                    String.format(
                            "SMTP server %s refused the email: %s",
                            config.smarthost(), e.getMessage()),
                    false,
                    e);
        } catch (MessagingException e) {
            throw new DeliveryException(
                    String.format(
                            "SMTP server %s unreachable or failed: %s",
                            config.smarthost(), e.getMessage()),
                    true,
                    e);
        }
    }

    /** A message whose Message-ID is ours rather than one Jakarta Mail makes up on saving. */
    private static final class FixedIdMessage extends MimeMessage {
        private final String messageId;

        FixedIdMessage(Session session, String messageId) {
            super(session);
            this.messageId = messageId;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId);
        }
    }
}
