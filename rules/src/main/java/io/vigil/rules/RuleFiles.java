package io.vigil.rules;

import io.vigil.schemas.Rule;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads rule files: YAML in the spirit of Prometheus rule files, with Vigil's structured fields in
 * place of PromQL.
 *
 * <pre>{@code
 * List<Rule> rules = RuleFiles.read(Path.of("rules.yaml")); // or RuleFiles.defaults()
 * store.apply(rules, "rules.yaml");
 * }</pre>
 *
 * <p>A file is all or nothing: if any rule is invalid, {@link InvalidRulesException} lists every
 * error and no rule is returned.
 */
public final class RuleFiles {
    /** The default rules every fleet needs, on the class path. */
    public static final String DEFAULTS = "rules/defaults.yaml";

    private RuleFiles() {}

    /** The rules of a file on disk; errors name the file as given. */
    public static List<Rule> read(Path file) throws IOException, InvalidRulesException {
        return parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
    }

    /**
     * The rules of a file's text.
     *
     * @param source how errors name the file
     */
    public static List<Rule> parse(String source, String text) throws InvalidRulesException {
        return RuleParser.parseFile(source, text);
    }

    /**
     * One rule as a mapping of its fields (YAML or JSON), as {@code PUT /api/v1/rules/{id}}
     * receives it.
     */
    public static Rule parseRule(String source, String id, String text)
            throws InvalidRulesException {
        return RuleParser.parseSingle(source, id, text);
    }

    /** The default rules shipped in {@value #DEFAULTS}. */
    public static List<Rule> defaults() {
        try (InputStream in = RuleFiles.class.getClassLoader().getResourceAsStream(DEFAULTS)) {
            if (in == null) {
                throw new IllegalStateException(
                        String.format("%s is not on the class path", DEFAULTS));
            }
            return parse(DEFAULTS, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(String.format("Cannot read %s", DEFAULTS), e);
        } catch (InvalidRulesException e) {
            // Shipped rules are tested; reaching this is a build that skipped its tests.
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
