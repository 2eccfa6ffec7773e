package io.vigil.stack.process;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Builds the command line of a JVM: {@code java <jvm options> -cp <class path> <main class>
 * <arguments>}.
 *
 * <pre>{@code
 * List<String> command =
 *         JavaCommand.builder(JavaCommand.currentJava())
 *                 .jvmOption("-Xmx768m")
 *                 .systemProperty("log4j2.configurationFile", log4jConfig)
 *                 .classpath(classpath)
 *                 .mainClass("kafka.Kafka")
 *                 .arg(serverProperties.toString())
 *                 .build();
 * }</pre>
 */
public final class JavaCommand {

    private JavaCommand() {}

    /** The {@code java} launcher of the JVM this code runs in. */
    public static Path currentJava() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    public static Builder builder(Path javaExecutable) {
        return new Builder(javaExecutable);
    }

    /** Collects the parts of the command line; {@link #build()} checks that none is missing. */
    public static final class Builder {
        private final Path javaExecutable;
        private final List<String> jvmOptions = new ArrayList<>();
        private final List<Path> classpath = new ArrayList<>();
        private String mainClass;
        private final List<String> args = new ArrayList<>();

        private Builder(Path javaExecutable) {
            this.javaExecutable = Objects.requireNonNull(javaExecutable, "javaExecutable");
        }

        public Builder jvmOption(String option) {
            jvmOptions.add(Objects.requireNonNull(option, "option"));
            return this;
        }

        public Builder jvmOptions(List<String> options) {
            options.forEach(this::jvmOption);
            return this;
        }

        /** Adds {@code -Dkey=value}. */
        public Builder systemProperty(String key, Object value) {
            return jvmOption("-D" + key + "=" + value);
        }

        public Builder classpath(List<Path> entries) {
            classpath.addAll(entries);
            return this;
        }

        public Builder mainClass(String mainClass) {
            this.mainClass = mainClass;
            return this;
        }

        public Builder arg(String arg) {
            args.add(Objects.requireNonNull(arg, "arg"));
            return this;
        }

        public Builder args(List<String> args) {
            args.forEach(this::arg);
            return this;
        }

        /** The command line, executable first. */
        public List<String> build() {
            if (mainClass == null || mainClass.isBlank()) {
                throw new IllegalArgumentException("No main class given");
            }
            if (classpath.isEmpty()) {
                throw new IllegalArgumentException(
                        String.format("No class path given for %s", mainClass));
            }
            List<String> command = new ArrayList<>();
            command.add(javaExecutable.toString());
            command.addAll(jvmOptions);
            command.add("-cp");
            command.add(
                    classpath.stream()
                            .map(Path::toString)
                            .collect(Collectors.joining(File.pathSeparator)));
            command.add(mainClass);
            command.addAll(args);
            return List.copyOf(command);
        }
    }
}
