package io.vigil.jobs;

import com.datastax.oss.driver.api.core.CqlSession;
import io.vigil.connectors.cassandra.CassandraSinkOptions;
import io.vigil.connectors.cassandra.CqlMigrator;
import io.vigil.connectors.cassandra.TableRetention;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Brings the Cassandra schema up to date before a job starts, as every job's main does. */
public final class CassandraSchema {
    private static final Logger LOG = LoggerFactory.getLogger(CassandraSchema.class);

    private CassandraSchema() {}

    /**
     * Applies the versioned CQL scripts (idempotent) if {@link ConnectionOptions#CASSANDRA_MIGRATE}
     * is on, connecting with the Cassandra sink options, and then the retention of the tables the
     * calling job owns (only the owner may: another job's defaults would undo its options).
     */
    public static void migrateIfEnabled(Configuration options, TableRetention... ownedTables) {
        if (!options.get(ConnectionOptions.CASSANDRA_MIGRATE)) {
            return;
        }
        try (CqlSession session =
                CqlSession.builder()
                        .withClassLoader(CassandraSchema.class.getClassLoader())
                        .addContactPoints(CassandraSinkOptions.contactPoints(options))
                        .withLocalDatacenter(
                                ConnectionOptions.required(
                                        options, CassandraSinkOptions.LOCAL_DATACENTER))
                        .build()) {
            List<?> applied =
                    CqlMigrator.builder()
                            .session(session)
                            .replication(options.get(ConnectionOptions.CASSANDRA_REPLICATION))
                            .build()
                            .migrate();
            LOG.info("Cassandra schema up to date ({} scripts applied now)", applied.size());
            for (TableRetention retention : ownedTables) {
                for (String change : retention.apply(session)) {
                    LOG.info("Retention changed: {}", change);
                }
            }
        }
    }
}
