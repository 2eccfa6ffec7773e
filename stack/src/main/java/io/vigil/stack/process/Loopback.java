package io.vigil.stack.process;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * The one address every process of the local stack binds: IPv4 loopback, spelled as an address
 * rather than {@code localhost}, which may resolve to {@code ::1} where nothing listens.
 */
public final class Loopback {

    /** {@code 127.0.0.1}, for configuration files and URLs. */
    public static final String HOST = "127.0.0.1";

    private Loopback() {}

    /** {@code 127.0.0.1} as an address, resolved without any name lookup. */
    public static InetAddress address() {
        try {
            return InetAddress.getByAddress(HOST, new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new IllegalStateException("Four bytes are a valid IPv4 address", e);
        }
    }

    /** {@code 127.0.0.1:port}, whose host string is {@code 127.0.0.1}. */
    public static InetSocketAddress socketAddress(int port) {
        return new InetSocketAddress(address(), port);
    }
}
