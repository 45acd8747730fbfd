package ai.appliance.runtime.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.net.ServerSocket;

/**
 * Checks that a listening port is free before a server library tries it. A taken port is common on a
 * site (another broker on 1883, another service on 8080), and the libraries report it badly: Helidon logs
 * the failure and carries on without its listener, the embedded broker logs a page of stack trace.
 *
 * <p>In a package of its own, below both: the server checks its HTTP and gRPC ports with it and the embedded
 * MQTT broker its own, and the server starts the broker, so neither package may hold it for the other.
 */
public final class ListenPort {

    private ListenPort() {
    }

    /**
     * @param what what would listen there, for the message ("the HTTP server")
     * @param hint what the operator can change ("set server.port")
     * @throws IllegalStateException with one line naming the address, the reason and {@code hint}
     */
    public static void requireFree(String host, int port, String what, String hint) {
        if (port == 0) {
            return;
        }
        try (var probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + what + " on " + host + ":" + port + ": " + e.getMessage()
                    + " (" + hint + ")", e);
        }
    }

    /** Whether {@code host} names a loopback address (only this machine can connect). */
    public static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * A port that was free on {@code host} a moment ago, for a library that cannot report the port it bound when
     * given 0 (the embedded broker).
     */
    public static int pickFree(String host) {
        try (var probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(host, 0));
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on " + host + ": " + e.getMessage(), e);
        }
    }
}
