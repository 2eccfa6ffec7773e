package io.vigil.stack.junit;

import io.vigil.stack.LocalStack;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests a running {@link LocalStack} with Kafka and Cassandra, shared by every test class of
 * the test run (one JVM, i.e. one Maven module's surefire or failsafe run): the first class that
 * uses it starts the stack, the end of the run stops it.
 *
 * <pre>{@code
 * @ExtendWith(SharedStackExtension.class)
 * class RollupJobITCase {
 *     private final LocalStack stack;
 *
 *     RollupJobITCase(LocalStack stack) {
 *         this.stack = stack;
 *     }
 *
 *     @Test
 *     void writesRollups() {
 *         FlinkRestClient flink = stack.startFlink(1); // started once, then shared
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <p>The stack lives in the root extension context's store, which closes it when the run ends; its
 * own shutdown hook covers a run that is killed. Its data folder is {@code
 * target/vigil-stack-<timestamp>} of the working folder (the module's folder under Maven), with
 * each process's log in {@code logs/}. A Flink session cluster is only started when a test calls
 * {@link LocalStack#startFlink(int)}. If the stack fails to start, every test that needs it fails
 * with the same cause, without trying again.
 */
public final class SharedStackExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(SharedStackExtension.class);

    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    /** Starts the shared stack before the first test class that uses it. */
    @Override
    public void beforeAll(ExtensionContext context) {
        sharedStack(context);
    }

    @Override
    public boolean supportsParameter(
            ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == LocalStack.class;
    }

    @Override
    public Object resolveParameter(
            ParameterContext parameterContext, ExtensionContext extensionContext) {
        return sharedStack(extensionContext);
    }

    /**
     * The stack shared by this test run, started on first use. The root store closes it (it is
     * {@link AutoCloseable}) at the end of the run.
     */
    public static LocalStack sharedStack(ExtensionContext context) {
        return context.getRoot()
                .getStore(NAMESPACE)
                .getOrComputeIfAbsent(LocalStack.class, key -> startStack(), LocalStack.class);
    }

    private static LocalStack startStack() {
        Path dataDir =
                Path.of("target", "vigil-stack-" + TIMESTAMP.format(LocalDateTime.now()))
                        .toAbsolutePath();
        return LocalStack.builder().dataDir(dataDir).withKafka().withCassandra().build().start();
    }
}
