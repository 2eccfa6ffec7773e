package io.vigil.cli;

import java.io.PrintWriter;

/** What the CLI tells its user, on standard output, one line at a time. */
final class Console {
    private Console() {}

    static void say(String format, Object... args) {
        System.out.println("vigil: " + String.format(format, args));
        System.out.flush();
    }

    /** The same line on another stream, e.g. a picocli command's error writer. */
    static void say(PrintWriter out, String format, Object... args) {
        out.println("vigil: " + String.format(format, args));
        out.flush();
    }
}
