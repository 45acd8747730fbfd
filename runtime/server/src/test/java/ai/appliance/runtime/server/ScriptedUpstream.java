package ai.appliance.runtime.server;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An HTTP server on a free loopback port that answers every request with the start of an event stream and then
 * waits: with {@code opening} null it sends nothing at all; else the headers and {@code opening} as the first chunk.
 * {@link #finish(String)} sends the rest and ends the body. What a hung or slow upstream looks like from the
 * appliance, which a real appliance cannot be made to do on cue.
 */
final class ScriptedUpstream implements AutoCloseable {

    private final ServerSocket socket;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();

    private ScriptedUpstream(ServerSocket socket) {
        this.socket = socket;
    }

    static ScriptedUpstream start(String opening) throws IOException {
        var server = new ScriptedUpstream(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        Thread.ofVirtual().start(() -> {
            while (!server.socket.isClosed()) {
                try {
                    var client = server.socket.accept();
                    if (opening != null) {
                        var out = client.getOutputStream();
                        out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                                + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                        chunk(out, opening);
                    }
                    server.accepted.add(client);
                } catch (IOException closed) {
                    return;
                }
            }
        });
        return server;
    }

    private static void chunk(OutputStream out, String text) throws IOException {
        var bytes = text.getBytes(StandardCharsets.UTF_8);
        out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** The base URL to configure as an upstream. */
    String url() {
        return "http://127.0.0.1:" + socket.getLocalPort() + "/v1";
    }

    /** Sends {@code rest} on every answered connection and ends its body. */
    void finish(String rest) throws IOException {
        for (var client : accepted) {
            var out = client.getOutputStream();
            chunk(out, rest);
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
        for (var s : accepted) {
            s.close();
        }
    }
}
