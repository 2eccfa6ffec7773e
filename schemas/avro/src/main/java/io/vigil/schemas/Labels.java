package io.vigil.schemas;

/**
 * Well-known label names. A host's place in the fleet travels as labels of each sample, so that
 * aggregation up the hierarchy (rack, cluster, data centre, global) needs no lookup on the hot
 * path.
 */
public final class Labels {
    /** The host a sample is about. */
    public static final String HOST = "host";

    /** The data centre the host lives in. */
    public static final String DC = "dc";

    /** The cluster within the data centre. */
    public static final String CLUSTER = "cluster";

    /** The rack within the cluster. */
    public static final String RACK = "rack";

    private Labels() {}
}
