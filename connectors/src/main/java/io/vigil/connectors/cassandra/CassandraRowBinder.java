package io.vigil.connectors.cassandra;

import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import java.io.Serializable;

/**
 * Turns one record into the values of the {@link CassandraSink}'s prepared statement.
 *
 * <p>Binders ship to the TaskManagers inside the sink, hence {@link Serializable}: keep them
 * stateless, a lambda or a small class. The sink marks every bound statement idempotent and sets
 * its timeout and consistency level, so a binder only binds values. Whatever it throws fails the
 * job at once, because a record that cannot be bound will not bind better on a retry.
 *
 * @param <T> the record type
 */
@FunctionalInterface
public interface CassandraRowBinder<T> extends Serializable {

    /**
     * Binds {@code value} to {@code statement}, e.g. {@code statement.bind(r.id(), r.name())}.
     *
     * @param statement the sink's statement, prepared once per writer
     * @param value the record to write
     * @return the statement to execute; never {@code null}
     */
    BoundStatement bind(PreparedStatement statement, T value);
}
