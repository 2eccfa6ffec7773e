package io.vigil.connectors.cassandra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One versioned schema file, {@code V<three digits>__<description>.cql}, parsed into statements.
 *
 * <p>File format: statements end with a {@code ;} at the end of a line; {@code --} starts a comment
 * that runs to the end of the line (outside quoted strings); {@code ${name}} is replaced by a
 * placeholder value when the statements are rendered. Every {@code CREATE} must say {@code IF NOT
 * EXISTS}: a script that fails half-way is re-run from its first statement, which must then be
 * harmless.
 *
 * <p>The checksum covers the file as written (line endings normalised), before placeholders are
 * replaced, so that the same file has the same checksum in every environment.
 *
 * <p>Plain Java, no Flink: the stack's command line uses it too.
 */
public final class CqlScript {

    private static final Pattern FILE_NAME = Pattern.compile("V(\\d{3})__([A-Za-z0-9_]+)\\.cql");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9_.-]+)}");
    private static final Pattern CREATE = Pattern.compile("(?is)^CREATE\\s.*");
    private static final Pattern IF_NOT_EXISTS =
            Pattern.compile("(?is).*\\bIF\\s+NOT\\s+EXISTS\\b.*");

    private final String fileName;
    private final int version;
    private final String description;
    private final String checksum;
    private final List<String> statementTemplates;

    private CqlScript(String fileName, String content) {
        Matcher name = FILE_NAME.matcher(fileName);
        if (!name.matches()) {
            throw new CqlMigrationException(
                    String.format(
                            "Schema file '%s' is not named V<3-digit version>__<description>.cql,"
                                    + " e.g. V003__alerts.cql",
                            fileName));
        }
        this.fileName = fileName;
        this.version = Integer.parseInt(name.group(1));
        this.description = name.group(2).replace('_', ' ');
        String normalised = content.replace("\r\n", "\n");
        this.checksum = sha256(normalised);
        this.statementTemplates = split(fileName, normalised);
    }

    /**
     * Parses a script.
     *
     * @param fileName the file's name, which carries its version and description
     * @param content the file's text
     * @throws CqlMigrationException if the name or the content is malformed
     */
    public static CqlScript of(String fileName, String content) {
        return new CqlScript(fileName, content);
    }

    /**
     * Loads the scripts an index resource lists, one file name per line ({@code #} comments and
     * blank lines allowed), from the index's directory, ordered by version. An explicit index,
     * rather than scanning the class path, works the same from a directory, a jar or a fat jar.
     *
     * @param classLoader where to find the index and the scripts
     * @param indexResource e.g. {@code cql/index.txt}
     */
    public static List<CqlScript> fromIndex(ClassLoader classLoader, String indexResource) {
        String directory =
                indexResource.contains("/")
                        ? indexResource.substring(0, indexResource.lastIndexOf('/') + 1)
                        : "";
        List<CqlScript> scripts = new ArrayList<>();
        for (String line : readResource(classLoader, indexResource).split("\n")) {
            String entry = line.strip();
            if (entry.isEmpty() || entry.startsWith("#")) {
                continue;
            }
            scripts.add(of(entry, readResource(classLoader, directory + entry)));
        }
        return inVersionOrder(scripts);
    }

    /**
     * Orders scripts by version.
     *
     * @throws CqlMigrationException if two scripts share a version
     */
    public static List<CqlScript> inVersionOrder(List<CqlScript> scripts) {
        Map<Integer, CqlScript> byVersion = new HashMap<>();
        for (CqlScript script : scripts) {
            CqlScript clash = byVersion.putIfAbsent(script.version(), script);
            if (clash != null) {
                throw new CqlMigrationException(
                        String.format(
                                "Schema files %s and %s both have version %s",
                                clash.fileName(), script.fileName(), script.version()));
            }
        }
        return scripts.stream().sorted(Comparator.comparingInt(CqlScript::version)).toList();
    }

    public String fileName() {
        return fileName;
    }

    public int version() {
        return version;
    }

    /** The description from the file name, underscores as spaces, e.g. {@code rollups 1m}. */
    public String description() {
        return description;
    }

    /** Lower-case hex SHA-256 of the file as written. */
    public String checksum() {
        return checksum;
    }

    /**
     * The statements, without comments or terminating {@code ;}, with placeholders replaced.
     *
     * @throws CqlMigrationException if a statement uses a placeholder without a value
     */
    public List<String> statements(Map<String, String> placeholders) {
        List<String> rendered = new ArrayList<>();
        for (String template : statementTemplates) {
            rendered.add(render(template, placeholders));
        }
        return rendered;
    }

    @Override
    public String toString() {
        return fileName;
    }

    private String render(String template, Map<String, String> placeholders) {
        Matcher matcher = PLACEHOLDER.matcher(template);
        StringBuilder rendered = new StringBuilder();
        while (matcher.find()) {
            String value = placeholders.get(matcher.group(1));
            if (value == null) {
                throw new CqlMigrationException(
                        String.format(
                                "%s uses placeholder ${%s}, but no value was given for it (given:"
                                        + " %s)",
                                fileName, matcher.group(1), placeholders.keySet()));
            }
            matcher.appendReplacement(rendered, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(rendered);
        return rendered.toString();
    }

    /**
     * Splits a file into statements. Tracks quotes across lines so that {@code --} or {@code ;}
     * inside a string literal (a table comment, say) neither starts a comment nor ends a statement.
     */
    private static List<String> split(String fileName, String content) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        char openQuote = 0;
        String[] lines = content.split("\n", -1);
        for (int lineNumber = 1; lineNumber <= lines.length; lineNumber++) {
            String line = lines[lineNumber - 1];
            StringBuilder code = new StringBuilder();
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (openQuote == 0
                        && c == '-'
                        && i + 1 < line.length()
                        && line.charAt(i + 1) == '-') {
                    break;
                }
                if (openQuote == 0 && (c == '\'' || c == '"')) {
                    openQuote = c;
                } else if (c == openQuote) {
                    // A doubled quote ('it''s') closes and reopens, which leaves it open: correct.
                    openQuote = 0;
                }
                code.append(c);
            }
            String trimmed = code.toString().strip();
            if (!trimmed.isEmpty()) {
                current.append(current.length() == 0 ? "" : "\n")
                        .append(code.toString().stripTrailing());
            }
            if (openQuote == 0 && trimmed.endsWith(";")) {
                String statement = current.toString().strip();
                statement = statement.substring(0, statement.length() - 1).strip();
                if (!statement.isEmpty()) {
                    checkIdempotent(fileName, lineNumber, statement);
                    statements.add(statement);
                }
                current.setLength(0);
            }
        }
        if (openQuote != 0) {
            throw new CqlMigrationException(
                    String.format("%s ends inside a quoted string (%s)", fileName, openQuote));
        }
        if (current.length() > 0) {
            throw new CqlMigrationException(
                    String.format(
                            "%s ends with a statement that is not terminated by ';' at the end of"
                                    + " a line: %s",
                            fileName, current.toString().strip()));
        }
        if (statements.isEmpty()) {
            throw new CqlMigrationException(String.format("%s contains no statement", fileName));
        }
        return List.copyOf(statements);
    }

    private static void checkIdempotent(String fileName, int lineNumber, String statement) {
        if (CREATE.matcher(statement).matches() && !IF_NOT_EXISTS.matcher(statement).matches()) {
            throw new CqlMigrationException(
                    String.format(
                            "%s, statement ending on line %s: CREATE without IF NOT EXISTS; every"
                                    + " statement must be safe to run twice: %s",
                            fileName, lineNumber, firstLine(statement)));
        }
    }

    private static String firstLine(String statement) {
        int end = statement.indexOf('\n');
        return end < 0 ? statement : statement.substring(0, end) + " ...";
    }

    private static String readResource(ClassLoader classLoader, String resource) {
        try (InputStream in = classLoader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new CqlMigrationException(
                        String.format("Schema resource '%s' is not on the class path", resource));
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    String.format("Could not read schema resource '%s'", resource), e);
        }
    }

    private static String sha256(String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] hash = digest.digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-256.
            throw new IllegalStateException(e);
        }
    }
}
