package ai.appliance.runtime.server;

import ai.appliance.runtime.api.ApiException;
import ai.appliance.runtime.api.ErrorKind;
import ai.appliance.runtime.openai.OpenAiResponses;
import io.helidon.common.buffers.BufferData;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Status;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http1.Http1ConnectionListener;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Deadlines for a client to send its request: the headers within {@code server.header-timeout} of the request
 * line, the body within {@code server.body-timeout} of the headers. Past one, the client gets 408 and the
 * connection is closed.
 *
 * <p>Helidon 4.3 has no such deadline: its idle-connection check interrupts a connection only while it waits for
 * a request line, and its socket read timeout does not apply to the server's reads, so a client that stops
 * inside the headers or the body held its connection (a thread and a socket) until it went away itself, and one
 * that sent nothing (or half a request line) held it until the idle timeout. This hears each accepted connection
 * ({@link #accepted}, from {@link AcceptedConnections}), the request line and the headers from Helidon's HTTP/1
 * connection ({@link #receiving()}), the
 * response status ({@link #sending()}), and the end of the body from the handler that read it
 * ({@link #bodyRead}); one timer thread closes what overruns.
 */
final class RequestReadGuard implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RequestReadGuard.class.getName());

    private final Duration headerTimeout;
    private final Duration bodyTimeout;
    private final OpenAiResponses responses;
    private final ScheduledThreadPoolExecutor timer;
    private final Map<String, ScheduledFuture<?>> deadlines = new ConcurrentHashMap<>();

    RequestReadGuard(Duration headerTimeout, Duration bodyTimeout, OpenAiResponses responses) {
        this.headerTimeout = headerTimeout;
        this.bodyTimeout = bodyTimeout;
        this.responses = responses;
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            var t = new Thread(r, "http-read-deadlines");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
    }

    /**
     * A connection was accepted: its request line and headers must arrive within the header timeout. A client that
     * sends nothing, or stops inside the request line, is closed like one that stops inside its headers.
     */
    void accepted(ConnectionContext ctx) {
        arm(ctx, headerTimeout, "the request line did not arrive within " + seconds(headerTimeout)
                + " (server.header-timeout)");
    }

    /** Listens to what the connection receives: the request line starts the header clock, the headers stop it. */
    Http1ConnectionListener receiving() {
        return new Http1ConnectionListener() {
            @Override
            public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
                arm(ctx, headerTimeout, "the request headers did not arrive within " + seconds(headerTimeout)
                        + " (server.header-timeout)");
            }

            @Override
            public void headers(ConnectionContext ctx, Headers headers) {
                disarm(key(ctx.socketId(), ctx.childSocketId()));
                if (RequestFraming.requireValid(headers)) {
                    arm(ctx, bodyTimeout, "the request body did not arrive within " + seconds(bodyTimeout)
                            + " (server.body-timeout)");
                }
            }
        };
    }

    /** Listens to what the connection sends: a response under way means the request was read as far as needed. */
    Http1ConnectionListener sending() {
        return new Http1ConnectionListener() {
            @Override
            public void status(ConnectionContext ctx, Status status) {
                disarm(key(ctx.socketId(), ctx.childSocketId()));
            }
        };
    }

    /** The handler has read the whole body of {@code request} (or given up on it). */
    void bodyRead(ServerRequest request) {
        disarm(key(request.serverSocketId(), request.socketId()));
    }

    private void arm(ConnectionContext ctx, Duration timeout, String message) {
        var key = key(ctx.socketId(), ctx.childSocketId());
        var deadline = timer.schedule(() -> expire(ctx, key, message), timeout.toMillis(), TimeUnit.MILLISECONDS);
        var previous = deadlines.put(key, deadline);
        if (previous != null) {
            previous.cancel(false);
        }
    }

    private void disarm(String key) {
        var deadline = deadlines.remove(key);
        if (deadline != null) {
            deadline.cancel(false);
        }
    }

    private void expire(ConnectionContext ctx, String key, String message) {
        deadlines.remove(key);
        LOG.fine(() -> "closing " + ctx.remotePeer().address() + ": " + message);
        try {
            // The connection's own thread is blocked reading, so nothing else writes to it now.
            var body = responses.error(new ApiException(ErrorKind.REQUEST_TIMEOUT, message)).toString()
                    .getBytes(StandardCharsets.UTF_8);
            var head = "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nConnection: close\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n";
            var bytes = new byte[head.length() + body.length];
            System.arraycopy(head.getBytes(StandardCharsets.US_ASCII), 0, bytes, 0, head.length());
            System.arraycopy(body, 0, bytes, head.length(), body.length);
            ctx.dataWriter().writeNow(BufferData.create(bytes));
        } catch (RuntimeException e) {
            // The client may be gone already; closing is what matters.
        } finally {
            ctx.serverSocket().close();
        }
    }

    private static String key(String serverSocket, String connection) {
        return serverSocket + " " + connection;
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    @Override
    public void close() {
        timer.shutdownNow();
        deadlines.clear();
    }
}
