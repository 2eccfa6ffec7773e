package io.vigil.connectors.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

/** The builder's defaults, its parsing of contact points, and what it refuses to build. */
class CassandraSinkBuilderTest {

    private static final String UPSERT = "INSERT INTO readings (id, value) VALUES (?, ?)";
    private static final CassandraRowBinder<Long> BINDER =
            (statement, id) -> statement.bind(id, 1.0);

    @Test
    void appliesDocumentedDefaults() {
        CassandraSink<Long> sink = complete().build();

        assertThat(sink.maxInFlightRequests()).isEqualTo(256);
        assertThat(sink.maxRetries()).isEqualTo(10);
        assertThat(sink.initialBackoff()).isEqualTo(Duration.ofMillis(100));
        assertThat(sink.maxBackoff()).isEqualTo(Duration.ofSeconds(10));
        assertThat(sink.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(sink.consistencyLevel()).isEqualTo(DefaultConsistencyLevel.LOCAL_QUORUM);
    }

    @Test
    void parsesHostAndPortContactPointsWithoutResolvingThem() {
        CassandraSink<Long> sink =
                complete()
                        .contactPoints("cassandra-1.internal:9042", "10.0.0.7:9142", "[::1]:19042")
                        .build();

        assertThat(sink.contactPoints())
                .containsExactly(
                        InetSocketAddress.createUnresolved("cassandra-1.internal", 9042),
                        InetSocketAddress.createUnresolved("10.0.0.7", 9142),
                        InetSocketAddress.createUnresolved("::1", 19042));
    }

    @Test
    void takesOptionsFromAConfiguration() {
        Configuration config = new Configuration();
        config.set(
                CassandraSinkOptions.CONTACT_POINTS,
                List.of("cassandra-1:9042", "cassandra-2:9042"));
        config.set(CassandraSinkOptions.LOCAL_DATACENTER, "dc1");
        config.set(CassandraSinkOptions.MAX_IN_FLIGHT_REQUESTS, 32);
        config.set(CassandraSinkOptions.MAX_BACKOFF, Duration.ofSeconds(30));

        CassandraSink<Long> sink =
                CassandraSink.<Long>builder()
                        .options(config)
                        .statement(UPSERT)
                        .binder(BINDER)
                        .build();

        assertThat(sink.contactPoints()).hasSize(2);
        assertThat(sink.maxInFlightRequests()).isEqualTo(32);
        assertThat(sink.maxBackoff()).isEqualTo(Duration.ofSeconds(30));
        assertThat(sink.maxRetries()).isEqualTo(10);
    }

    @Test
    void isSerializableWithEverythingItHolds() throws Exception {
        CassandraSink<Long> sink = complete().build();

        CassandraSink<Long> copy =
                InstantiationUtil.deserializeObject(
                        InstantiationUtil.serializeObject(sink), getClass().getClassLoader());

        assertThat(copy.contactPoints()).isEqualTo(sink.contactPoints());
        assertThat(copy.requestTimeout()).isEqualTo(sink.requestTimeout());
    }

    @Test
    void explainsWhatIsMissing() {
        assertThatThrownBy(() -> CassandraSink.<Long>builder().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("contactPoints must name at least one Cassandra node");
        assertThatThrownBy(() -> complete().localDatacenter(null).build())
                .hasMessageContaining("localDatacenter must be set");
        assertThatThrownBy(() -> complete().statement(" ").build())
                .hasMessageContaining("statement must be set");
        assertThatThrownBy(() -> complete().binder(null).build())
                .isInstanceOf(NullPointerException.class)
                .hasMessage("binder must be set to bind records to '%s'", UPSERT);
        assertThatThrownBy(() -> complete().keyspace("").build())
                .hasMessageContaining("keyspace must not be blank");
    }

    @Test
    void rejectsOutOfRangeSettingsNamingTheValue() {
        assertThatThrownBy(() -> complete().maxInFlightRequests(0).build())
                .hasMessage("maxInFlightRequests must be positive, got 0");
        assertThatThrownBy(() -> complete().maxRetries(-1).build())
                .hasMessage("maxRetries must not be negative, got -1");
        assertThatThrownBy(() -> complete().initialBackoff(Duration.ZERO).build())
                .hasMessage("initialBackoff must be positive, got PT0S");
        assertThatThrownBy(() -> complete().maxBackoff(Duration.ofMillis(50)).build())
                .hasMessage(
                        "maxBackoff (PT0.05S) must not be shorter than initialBackoff (PT0.1S)");
        assertThatThrownBy(() -> complete().requestTimeout(Duration.ofSeconds(-1)).build())
                .hasMessage("requestTimeout must be positive, got PT-1S");
    }

    @Test
    void rejectsMalformedContactPoints() {
        assertThatThrownBy(() -> complete().contactPoints("cassandra-1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "contact point 'cassandra-1' is not of the form host:port (or"
                                + " [ipv6]:port)");
        assertThatThrownBy(() -> complete().contactPoints("cassandra-1:70000"))
                .hasMessage("contact point 'cassandra-1:70000' has port 70000, outside 1..65535");
    }

    @Test
    void rejectsBindersThatCannotShipToTaskManagers() {
        // Capturing a non-serializable object is the usual way a lambda binder goes wrong.
        ByteArrayOutputStream notSerializable = new ByteArrayOutputStream();
        CassandraRowBinder<Long> capturing =
                (statement, id) -> statement.bind(id, (double) notSerializable.size());

        assertThatThrownBy(() -> complete().binder(capturing).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("must be serializable, as it ships to the TaskManagers");
    }

    private static CassandraSink.Builder<Long> complete() {
        return CassandraSink.<Long>builder()
                .contactPoints(List.of(new InetSocketAddress("localhost", 9042)))
                .localDatacenter("datacenter1")
                .keyspace("vigil")
                .statement(UPSERT)
                .binder(BINDER);
    }
}
