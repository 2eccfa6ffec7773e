package io.vigil.connectors.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.NoNodeAvailableException;
import com.datastax.oss.driver.api.core.auth.AuthenticationException;
import com.datastax.oss.driver.api.core.connection.BusyConnectionException;
import com.datastax.oss.driver.api.core.connection.ClosedConnectionException;
import com.datastax.oss.driver.api.core.servererrors.DefaultWriteType;
import com.datastax.oss.driver.api.core.servererrors.InvalidQueryException;
import com.datastax.oss.driver.api.core.servererrors.OverloadedException;
import com.datastax.oss.driver.api.core.servererrors.SyntaxError;
import com.datastax.oss.driver.api.core.servererrors.UnauthorizedException;
import com.datastax.oss.driver.api.core.servererrors.UnavailableException;
import com.datastax.oss.driver.api.core.servererrors.WriteTimeoutException;
import com.datastax.oss.driver.api.core.type.codec.CodecNotFoundException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** Transient trouble is retried; mistakes are not. */
class CassandraErrorsTest {

    @Test
    void retriesTransientFailures() {
        assertThat(
                        new Throwable[] {
                            new WriteTimeoutException(
                                    null,
                                    DefaultConsistencyLevel.LOCAL_QUORUM,
                                    1,
                                    2,
                                    DefaultWriteType.SIMPLE),
                            new UnavailableException(
                                    null, DefaultConsistencyLevel.LOCAL_QUORUM, 2, 1),
                            new OverloadedException(null),
                            new DriverTimeoutException("Query timed out after PT10S"),
                            new NoNodeAvailableException(),
                            new BusyConnectionException(2048),
                            new ClosedConnectionException("Lost connection to remote peer")
                        })
                .allSatisfy(error -> assertThat(CassandraErrors.isRetryable(error)).isTrue());
    }

    @Test
    void doesNotRetryMistakes() {
        assertThat(
                        new Throwable[] {
                            new SyntaxError(
                                    null, "line 1:0 no viable alternative at input 'INSRT'"),
                            new InvalidQueryException(null, "unconfigured table readings"),
                            new UnauthorizedException(null, "User vigil has no MODIFY permission"),
                            new AuthenticationException(null, "Bad credentials"),
                            new CodecNotFoundException(null, null),
                            new IllegalArgumentException("Invalid value for bind marker"),
                            new NullPointerException()
                        })
                .allSatisfy(error -> assertThat(CassandraErrors.isRetryable(error)).isFalse());
    }

    @Test
    void looksThroughFutureWrappers() {
        Throwable timeout = new DriverTimeoutException("Query timed out after PT10S");
        Throwable invalid = new InvalidQueryException(null, "unconfigured table readings");

        assertThat(CassandraErrors.isRetryable(new CompletionException(timeout))).isTrue();
        assertThat(CassandraErrors.isRetryable(new ExecutionException(invalid))).isFalse();
        assertThat(CassandraErrors.unwrap(new CompletionException(new ExecutionException(timeout))))
                .isSameAs(timeout);
    }
}
