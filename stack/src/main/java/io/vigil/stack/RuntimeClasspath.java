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
 * The class path of a Kafka, Cassandra or Flink process, as the {@code vigil-runtime-*} artifacts
 * record it at build time (absolute paths into the local Maven repository), so that nothing is
 * downloaded when the stack starts.
 */
final class RuntimeClasspath {

    private RuntimeClasspath() {}

    /**
     * Loads the class path of a runtime and checks that every jar is there.
     *
     * @param runtime {@code kafka}, {@code cassandra} or {@code flink}
     */
    static List<Path> load(String runtime) {
        String resource = "io/vigil/stack/runtime/" + runtime + ".classpath";
        String text;
        try (InputStream in =
                RuntimeClasspath.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new StackException(
                        String.format(
                                "%s is not on the class path: depend on io.vigil:vigil-runtime-%s",
                                resource, runtime));
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
                            "The %s class path recorded at build time names missing jars %s;"
                                    + " rebuild it with 'mvn install -pl stack/runtimes/%s'",
                            runtime, missing, runtime));
        }
        return classpath;
    }
}
