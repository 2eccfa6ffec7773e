package io.vigil.connectors.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Sessions for Vigil's tools and services outside Flink (the rule store, the CLI, tests), with the
 * request timeout given explicitly: the driver's default of two seconds is too short for
 * lightweight transactions (four round trips) on a busy node.
 */
public final class CqlSessions {
    private CqlSessions() {}

    /** A session to the cluster of {@code contactPoint}, in data centre {@code localDatacenter}. */
    public static CqlSession open(
            InetSocketAddress contactPoint, String localDatacenter, Duration requestTimeout) {
        return CqlSession.builder()
                .addContactPoint(contactPoint)
                .withLocalDatacenter(localDatacenter)
                .withConfigLoader(
                        DriverConfigLoader.programmaticBuilder()
                                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, requestTimeout)
                                .build())
                .build();
    }
}
