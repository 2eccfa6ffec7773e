package io.vigil.bench.pipeline;

import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * What {@code nodetool} does, for a Cassandra node of the local stack, which starts Cassandra
 * without a JMX port: attaches to the node's JVM (same user, same machine), starts its local
 * management agent and talks JMX to it. Used to flush memtables before measuring the data folder,
 * so that the bytes on disk include every row written.
 */
final class CassandraJmx implements AutoCloseable {
    private static final String STORAGE_SERVICE = "org.apache.cassandra.db:type=StorageService";

    private final JMXConnector connector;
    private final MBeanServerConnection server;

    private CassandraJmx(JMXConnector connector) throws IOException {
        this.connector = connector;
        this.server = connector.getMBeanServerConnection();
    }

    /** Connects to the Cassandra JVM with this pid. */
    static CassandraJmx attach(long pid) throws IOException {
        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(Long.toString(pid));
        } catch (AttachNotSupportedException e) {
            throw new IOException(String.format("Cannot attach to Cassandra (pid %s)", pid), e);
        }
        String address;
        try {
            address = vm.startLocalManagementAgent();
        } finally {
            vm.detach();
        }
        return new CassandraJmx(JMXConnectorFactory.connect(new JMXServiceURL(address)));
    }

    /** Writes the table's memtables to SSTables, as {@code nodetool flush keyspace table}. */
    void flush(String keyspace, String table) throws IOException {
        try {
            server.invoke(
                    new ObjectName(STORAGE_SERVICE),
                    "forceKeyspaceFlush",
                    new Object[] {keyspace, new String[] {table}},
                    new String[] {String.class.getName(), String[].class.getName()});
        } catch (JMException e) {
            throw new IOException(
                    String.format("Flushing %s.%s failed: %s", keyspace, table, e.getMessage()), e);
        }
    }

    /** Bytes of the table's live SSTables, as {@code nodetool tablestats} reports them. */
    long liveDiskSpaceUsed(String keyspace, String table) throws IOException {
        return tableMetric(keyspace, table, "LiveDiskSpaceUsed", "Count");
    }

    /** Bytes of data in the table's memtables (not on disk yet). */
    long memtableLiveDataSize(String keyspace, String table) throws IOException {
        return tableMetric(keyspace, table, "MemtableLiveDataSize", "Value");
    }

    private long tableMetric(String keyspace, String table, String name, String attribute)
            throws IOException {
        try {
            Object value =
                    server.getAttribute(
                            new ObjectName(
                                    String.format(
                                            "org.apache.cassandra.metrics:type=Table,keyspace=%s,"
                                                    + "scope=%s,name=%s",
                                            keyspace, table, name)),
                            attribute);
            return ((Number) value).longValue();
        } catch (JMException e) {
            throw new IOException(
                    String.format("Cannot read %s of %s.%s", name, keyspace, table), e);
        }
    }

    @Override
    public void close() throws IOException {
        connector.close();
    }
}
