package io.vigil.stack.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/**
 * Hands out free TCP ports on the loopback address, each at most once, so that several stacks (and
 * other test servers) can run on one machine side by side.
 *
 * <p>A port is free when this returns it; a process of another program could still take it before
 * ours binds it. That window is short and the failed start then says "Address already in use" in
 * its log.
 */
public final class PortAllocator {

    private static final int MAX_ATTEMPTS = 100;

    private final Set<Integer> handedOut = new HashSet<>();

    /** A loopback port that was free a moment ago and that this allocator has not handed out. */
    public synchronized int next() {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            int port;
            try (ServerSocket socket = new ServerSocket(0, 1, Loopback.address())) {
                port = socket.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "Cannot bind a free port on the loopback address", e);
            }
            if (handedOut.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException(
                String.format("No new free port after %s attempts", MAX_ATTEMPTS));
    }
}
