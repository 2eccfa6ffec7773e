package io.vigil.jobs;

import static org.apache.flink.configuration.ConfigOptions.key;

import io.vigil.connectors.kafka.KafkaSettings;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Where every Vigil job finds Kafka, and how it prepares Cassandra. Cassandra's own connection
 * options ({@code vigil.cassandra.contact-points}, {@code vigil.cassandra.local-datacenter}) are
 * the sink's, in {@link io.vigil.connectors.cassandra.CassandraSinkOptions}.
 */
public final class ConnectionOptions {
    public static final ConfigOption<String> KAFKA_BOOTSTRAP_SERVERS =
            key("vigil.kafka.bootstrap-servers")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Kafka brokers, host:port[,host:port...].");

    public static final ConfigOption<String> CASSANDRA_REPLICATION =
            key("vigil.cassandra.replication")
                    .stringType()
                    .defaultValue("{'class': 'SimpleStrategy', 'replication_factor': 1}")
                    .withDescription(
                            "Replication of the vigil keyspace if the job creates it, as CQL;"
                                    + " production uses NetworkTopologyStrategy.");

    public static final ConfigOption<Boolean> CASSANDRA_MIGRATE =
            key("vigil.cassandra.migrate")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Apply the versioned CQL schema (idempotent) before the job starts.");

    private ConnectionOptions() {}

    /** The Kafka settings of a configuration; fails naming the missing option. */
    public static KafkaSettings kafka(Configuration conf) {
        return KafkaSettings.of(required(conf, KAFKA_BOOTSTRAP_SERVERS));
    }

    /** The value of a required option, or an error that names it. */
    public static <T> T required(ReadableConfig conf, ConfigOption<T> option) {
        return conf.getOptional(option)
                .orElseThrow(
                        () ->
                                new IllegalArgumentException(
                                        String.format(
                                                "missing option %s; pass it as --%s <value>",
                                                option.key(), option.key())));
    }

    /** A configuration of the {@code --key value} program arguments. */
    public static Configuration fromArgs(String[] args) {
        return Configuration.fromMap(org.apache.flink.util.ParameterTool.fromArgs(args).toMap());
    }
}
