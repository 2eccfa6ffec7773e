package io.vigil.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The notifier configuration {@code vigil up} writes to {@code .vigil/notifier.yaml} when it is not
 * given one: every alert goes to {@code vigil up}'s own {@link NotificationInbox}. Its port changes
 * with every start, so the file is rewritten each time; a configuration of one's own is passed with
 * {@code --notifier-config}.
 */
final class DefaultNotifierConfig {

    /** The file name in the data folder. */
    static final String FILE_NAME = "notifier.yaml";

    /** The receiver's name, shown in every notification. */
    static final String RECEIVER = "vigil-up";

    private DefaultNotifierConfig() {}

    /**
     * The configuration as YAML. Timings are shorter than a production notifier's (a first
     * notification 10 s after the alert fires, changes of a group after a minute), so that someone
     * trying Vigil sees its alerts promptly.
     */
    static String yaml(URI webhook) {
        return String.join(
                "\n",
                "# Written by `vigil up` at every start unless it is given --notifier-config FILE.",
                "# Every alert goes to vigil up's own webhook receiver, which prints each",
                "# notification and appends it to .vigil/notifications.log. For real receivers",
                "# (email_configs, slack_configs, webhook_configs, alertmanager_configs; see",
                "# notifier/README.md), copy this file, edit the copy and pass it with",
                "# --notifier-config.",
                "route:",
                "  receiver: " + RECEIVER,
                "  group_by: [alertname]",
                "  group_wait: 10s",
                "  group_interval: 1m",
                "  repeat_interval: 4h",
                "receivers:",
                "  - name: " + RECEIVER,
                "    webhook_configs:",
                "      - url: " + webhook,
                "        send_resolved: true",
                "");
    }

    /** Writes the configuration into the data folder and returns its path. */
    static Path write(Path dataDir, URI webhook) throws IOException {
        Files.createDirectories(dataDir);
        Path file = dataDir.resolve(FILE_NAME);
        Files.writeString(file, yaml(webhook), StandardCharsets.UTF_8);
        return file;
    }
}
