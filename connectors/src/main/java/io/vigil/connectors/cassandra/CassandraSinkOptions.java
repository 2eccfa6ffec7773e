package io.vigil.connectors.cassandra;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Configuration of {@link CassandraSink}s, for jobs that read their settings from a {@code
 * Configuration} and hand it to {@link CassandraSink.Builder#options}. The defaults here are the
 * builder's defaults too, so they are written down once.
 */
public final class CassandraSinkOptions {

    /** Where to find Cassandra; the driver discovers the rest of the cluster from these. */
    public static final ConfigOption<List<String>> CONTACT_POINTS =
            ConfigOptions.key("vigil.cassandra.contact-points")
                    .stringType()
                    .asList()
                    .noDefaultValue()
                    .withDescription(
                            "Cassandra nodes to connect to first, as host:port, e.g."
                                    + " 'cassandra-1:9042;cassandra-2:9042'.");

    /** The data centre whose nodes coordinate writes; the driver requires it to be explicit. */
    public static final ConfigOption<String> LOCAL_DATACENTER =
            ConfigOptions.key("vigil.cassandra.local-datacenter")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Name of the Cassandra data centre local to the job, e.g."
                                    + " 'datacenter1'.");

    public static final ConfigOption<String> KEYSPACE =
            ConfigOptions.key("vigil.cassandra.keyspace")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Keyspace for unqualified table names in the sink's statement.");

    public static final ConfigOption<Integer> MAX_IN_FLIGHT_REQUESTS =
            ConfigOptions.key("vigil.cassandra.sink.max-in-flight-requests")
                    .intType()
                    .defaultValue(256)
                    .withDescription(
                            "Writes one sink subtask may have outstanding, retries included;"
                                    + " when reached, the sink backpressures the job.");

    public static final ConfigOption<Integer> MAX_BATCH_ROWS =
            ConfigOptions.key("vigil.cassandra.sink.batch.max-rows")
                    .intType()
                    .defaultValue(32)
                    .withDescription(
                            "Rows sent together as one unlogged batch when their partitions share"
                                    + " their replicas; 1 sends every row on its own. A batch is"
                                    + " one request, so this divides the requests per row.");

    public static final ConfigOption<MemorySize> MAX_BATCH_SIZE =
            ConfigOptions.key("vigil.cassandra.sink.batch.max-size")
                    .memoryType()
                    .defaultValue(MemorySize.parse("40kb"))
                    .withDescription(
                            "Bound values of one batch at most; keep it below the cluster's"
                                    + " batch_size_fail_threshold (50 KiB by default) and at or"
                                    + " below its batch_size_warn_threshold to keep its log"
                                    + " quiet.");

    public static final ConfigOption<Duration> MAX_BATCH_DELAY =
            ConfigOptions.key("vigil.cassandra.sink.batch.max-delay")
                    .durationType()
                    .defaultValue(Duration.ofMillis(10))
                    .withDescription(
                            "How long a row may wait for its batch to fill up before it is sent"
                                    + " anyway.");

    public static final ConfigOption<Integer> MAX_RETRIES =
            ConfigOptions.key("vigil.cassandra.sink.max-retries")
                    .intType()
                    .defaultValue(10)
                    .withDescription(
                            "Retries of a write that failed with a retryable error (timeout,"
                                    + " unavailable, overloaded) before the job fails.");

    public static final ConfigOption<Duration> INITIAL_BACKOFF =
            ConfigOptions.key("vigil.cassandra.sink.initial-backoff")
                    .durationType()
                    .defaultValue(Duration.ofMillis(100))
                    .withDescription(
                            "Backoff ceiling before the first retry; it doubles per retry.");

    public static final ConfigOption<Duration> MAX_BACKOFF =
            ConfigOptions.key("vigil.cassandra.sink.max-backoff")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription("Upper bound of the backoff between two retries.");

    public static final ConfigOption<Duration> REQUEST_TIMEOUT =
            ConfigOptions.key("vigil.cassandra.sink.request-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription(
                            "How long the driver waits for one write before failing it (and the"
                                    + " sink retrying it).");

    public static final ConfigOption<DefaultConsistencyLevel> CONSISTENCY_LEVEL =
            ConfigOptions.key("vigil.cassandra.sink.consistency-level")
                    .enumType(DefaultConsistencyLevel.class)
                    .defaultValue(DefaultConsistencyLevel.LOCAL_QUORUM)
                    .withDescription(
                            "Consistency level of the writes. LOCAL_QUORUM keeps an acknowledged"
                                    + " row when one replica of the local data centre dies.");

    private CassandraSinkOptions() {}

    private static final Pattern HOST_AND_PORT =
            Pattern.compile("^(?:\\[(?<ipv6>[^\\]]+)]|(?<host>[^:\\[\\]]+)):(?<port>\\d{1,5})$");

    /**
     * The contact points of a configuration.
     *
     * @throws IllegalArgumentException naming the option, if it is missing or malformed
     */
    public static List<InetSocketAddress> contactPoints(ReadableConfig config) {
        List<String> points =
                config.getOptional(CONTACT_POINTS)
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                String.format(
                                                        "missing option %s; pass it as --%s"
                                                                + " host:port[;host:port...]",
                                                        CONTACT_POINTS.key(),
                                                        CONTACT_POINTS.key())));
        return points.stream().map(CassandraSinkOptions::parseContactPoint).toList();
    }

    /**
     * Parses {@code host:port} ({@code [v6-address]:port} for IPv6). The host stays unresolved:
     * names are looked up where the session is opened, on the TaskManager.
     */
    public static InetSocketAddress parseContactPoint(String hostAndPort) {
        checkNotNull(hostAndPort, "contact point must not be null");
        Matcher matcher = HOST_AND_PORT.matcher(hostAndPort.trim());
        checkArgument(
                matcher.matches(),
                "contact point '%s' is not of the form host:port (or [ipv6]:port)",
                hostAndPort);
        String host = matcher.group("ipv6") != null ? matcher.group("ipv6") : matcher.group("host");
        int port = Integer.parseInt(matcher.group("port"));
        checkArgument(
                port >= 1 && port <= 65535,
                "contact point '%s' has port %s, outside 1..65535",
                hostAndPort,
                port);
        return InetSocketAddress.createUnresolved(host, port);
    }
}
