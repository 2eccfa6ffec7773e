package io.vigil.stack.process;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Peers Vigil is compared and tested with that come as Debian packages (Prometheus, Alertmanager):
 * the binary from the {@code PATH}, or the package installed when it is missing and this process
 * may install it (root, or passwordless sudo). Only the binary is used; tests and benchmarks run it
 * with their own configuration and data folder, never the package's service.
 */
public final class DebianBinaries {
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(10);

    private DebianBinaries() {}

    /**
     * The path of {@code command}, installing Debian package {@code pkg} first if it is not on the
     * {@code PATH}.
     *
     * @param logs folder for the output of apt-get
     * @throws IllegalStateException if it is missing and cannot be installed; the message says what
     *     to run
     */
    public static Path require(String command, String pkg, Path logs) {
        Optional<Path> found = onPath(command);
        if (found.isPresent()) {
            return found.get();
        }
        List<String> sudo = new ArrayList<>();
        if (!isRoot()) {
            if (onPath("sudo").isEmpty()) {
                throw new IllegalStateException(notInstalled(command, pkg));
            }
            sudo.addAll(List.of("sudo", "-n"));
        }
        try {
            run(sudo, List.of("apt-get", "update", "-qq"), logs.resolve("apt-get-update.out"));
            run(
                    sudo,
                    List.of("apt-get", "install", "-y", "-qq", "--no-install-recommends", pkg),
                    logs.resolve("apt-get-install-" + pkg + ".out"));
        } catch (ProcessStartException e) {
            throw new IllegalStateException(notInstalled(command, pkg) + ": " + e.getMessage(), e);
        }
        return onPath(command)
                .orElseThrow(
                        () ->
                                new IllegalStateException(
                                        String.format(
                                                "Debian package %s is installed but %s is not on"
                                                        + " the PATH",
                                                pkg, command)));
    }

    private static String notInstalled(String command, String pkg) {
        return String.format(
                "%s is not installed and cannot be installed from here; run: sudo apt-get install"
                        + " %s",
                command, pkg);
    }

    private static void run(List<String> sudo, List<String> command, Path output) {
        List<String> full = new ArrayList<>(sudo);
        full.addAll(command);
        OneShotProcess.run(
                String.join(" ", command),
                full,
                output.toAbsolutePath().getParent(),
                output,
                INSTALL_TIMEOUT);
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The executable {@code command} in a folder of the {@code PATH}. */
    static Optional<Path> onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, command);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
