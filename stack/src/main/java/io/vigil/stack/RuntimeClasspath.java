package io.vigil.stack;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The class path of a process the stack starts, as its build recorded it in a resource (absolute
 * paths, mostly into the local Maven repository), so that nothing is resolved or downloaded when
 * the process starts: the {@code vigil-runtime-*} artifacts record Kafka's, Cassandra's and
 * Flink's, the notifier its own.
 */
public final class RuntimeClasspath {

    private RuntimeClasspath() {}

    /**
     * Loads the class path of a runtime and checks that every jar is there.
     *
     * @param runtime {@code kafka}, {@code cassandra} or {@code flink}
     */
    static List<Path> load(String runtime) {
        return read(
                RuntimeClasspath.class.getClassLoader(),
                "io/vigil/stack/runtime/" + runtime + ".classpath",
                String.format(
                        "depend on io.vigil:vigil-runtime-%s and rebuild it with 'mvn install -pl"
                                + " stack/runtimes/%s'",
                        runtime, runtime));
    }

    /**
     * Reads a class path recorded in a resource ({@code maven-dependency-plugin}'s {@code
     * build-classpath}) and checks that every entry exists.
     *
     * @param remedy what to do if the resource is missing or names missing files, for the message
     * @throws StackException if it is missing, empty or names missing files
     */
    public static List<Path> read(ClassLoader loader, String resource, String remedy) {
        String text;
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new StackException(
                        String.format("%s is not on the class path: %s", resource, remedy));
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(String.format("Cannot read %s", resource), e);
        }
        List<Path> classpath =
                Arrays.stream(text.split(File.pathSeparator))
                        .filter(entry -> !entry.isBlank())
                        .map(Path::of)
                        .toList();
        List<Path> missing = classpath.stream().filter(path -> !Files.exists(path)).toList();
        if (classpath.isEmpty() || !missing.isEmpty()) {
            throw new StackException(
                    String.format(
                            "The class path recorded at build time in %s names missing jars %s;"
                                    + " %s",
                            resource, missing, remedy));
        }
        return classpath;
    }
}
