package ai.appliance.runtime.upstream;

import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Receives one upstream response as events in a queue: the status first, then the body line by line, then its
 * end or the failure that cut it. The forwarding thread polls the queue with a timeout, which is how first-token
 * and idle timeouts are enforced without a reader blocked in a socket read; {@link #wake()} ends a wait early
 * (the client cancelled).
 */
final class SseReceiver implements Flow.Subscriber<String> {

    /** What the forwarding thread sees. */
    sealed interface Event permits Opened, Line, Ended, Broken, Woken { }

    /** Status and headers arrived. */
    record Opened(int status, HttpHeaders headers) implements Event { }

    /** One body line, without its line end. */
    record Line(String text) implements Event { }

    /** The body ended normally (the upstream closed it). */
    record Ended() implements Event { }

    /** The exchange failed: no connection, TLS, a timeout waiting for headers, or the connection broke. */
    record Broken(Throwable error) implements Event { }

    /** {@link #wake()} was called. */
    record Woken() implements Event { }

    private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private volatile Flow.Subscription subscription;
    private volatile boolean closed;

    /** The body handler to send the request with. */
    HttpResponse.BodyHandler<Void> handler() {
        return info -> {
            events.add(new Opened(info.statusCode(), info.headers()));
            // null separator: lines end at \n, \r or \r\n, as the SSE specification says.
            return HttpResponse.BodySubscribers.fromLineSubscriber(this, s -> null, StandardCharsets.UTF_8, null);
        };
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (closed) {
            s.cancel();
        } else {
            // Text only: a whole answer is small, and the forwarding thread drains the queue as it arrives.
            s.request(Long.MAX_VALUE);
        }
    }

    @Override
    public void onNext(String line) {
        events.add(new Line(line));
    }

    @Override
    public void onError(Throwable error) {
        events.add(new Broken(error));
    }

    @Override
    public void onComplete() {
        events.add(new Ended());
    }

    /** Records a failure reported outside the body (the send itself failed). */
    void failed(Throwable error) {
        events.add(new Broken(error));
    }

    /** The next event, or null when none came within {@code nanos}. */
    Event poll(long nanos) throws InterruptedException {
        return events.poll(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    }

    /** Ends the current {@link #poll} at once. */
    void wake() {
        events.add(new Woken());
    }

    /** Stops receiving: the connection is given up (closed, not reused). */
    void close() {
        closed = true;
        var s = subscription;
        if (s != null) {
            s.cancel();
        }
    }
}
