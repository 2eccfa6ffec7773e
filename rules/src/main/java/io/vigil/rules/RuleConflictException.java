package io.vigil.rules;

/**
 * A write expected the rule at one version, but the store holds another: someone else changed (or
 * created, or deleted) it first. Read the rule again, and write again on top of what is there.
 */
public final class RuleConflictException extends RuleStoreException {
    private static final long serialVersionUID = 1L;

    private final String id;
    private final long expectedVersion;
    private final long actualVersion;

    public RuleConflictException(String id, long expectedVersion, long actualVersion) {
        super(
                String.format(
                        "rule %s: expected version %d, but the store has %s; read it again and"
                                + " retry on top of that version",
                        id,
                        expectedVersion,
                        actualVersion == 0 ? "no such rule" : "version " + actualVersion));
        this.id = id;
        this.expectedVersion = expectedVersion;
        this.actualVersion = actualVersion;
    }

    public String id() {
        return id;
    }

    public long expectedVersion() {
        return expectedVersion;
    }

    /** The version the store holds; 0 if the rule does not exist (or was deleted). */
    public long actualVersion() {
        return actualVersion;
    }
}
