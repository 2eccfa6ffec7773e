package io.vigil.cli;

/** What the CLI tells its user, on standard output, one line at a time. */
final class Console {
    private Console() {}

    static void say(String format, Object... args) {
        System.out.println("vigil: " + String.format(format, args));
        System.out.flush();
    }
}
