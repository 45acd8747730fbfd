package ai.appliance.runtime.upstream;

import static ai.appliance.runtime.generation.FinishReason.EOS;
import static ai.appliance.runtime.generation.FinishReason.MAX_TOKENS;

import ai.appliance.runtime.metrics.UpstreamMetrics;
import ai.appliance.runtime.scheduler.FinishReason;
import ai.appliance.runtime.scheduler.GenerationListener;
import ai.appliance.runtime.scheduler.Outcome;
import ai.appliance.runtime.scheduler.Ticket;
import ai.appliance.runtime.serving.InferenceRequest;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One request forwarded to an upstream, on its own virtual thread: sends it (always as a stream with usage), passes
 * each piece of text to the listener as it arrives, and ends with the upstream's finish reason and usage, or with a
 * {@link ai.appliance.runtime.serving.RemoteFailure}. Timeouts: the first output must come within
 * first-token-timeout of sending, and after that no silence may last longer than idle-timeout. Every outcome is
 * reported to the circuit breaker and the metrics exactly once.
 */
final class UpstreamExchange implements Ticket {

    /** Longest error body read from an upstream; the message is clipped further when shown. */
    private static final int MAX_ERROR_BODY = 16 * 1024;

    private final UpstreamModel upstream;
    private final InferenceRequest request;
    private final String requestId;
    private final long deadlineNanos;
    private final GenerationListener listener;
    private final SseReceiver receiver = new SseReceiver();
    private volatile boolean cancelled;
    private volatile boolean done;

    UpstreamExchange(UpstreamModel upstream, InferenceRequest request, String requestId, long deadlineNanos,
                     GenerationListener listener) {
        this.upstream = upstream;
        this.request = request;
        this.requestId = requestId;
        this.deadlineNanos = deadlineNanos;
        this.listener = listener;
    }

    void start() {
        Thread.ofVirtual().name("upstream-" + upstream.name()).start(this::run);
    }

    @Override
    public void cancel() {
        cancelled = true;
        receiver.wake();
    }

    @Override
    public boolean isDone() {
        return done;
    }

    private void run() {
        try {
            if (!upstream.breaker().tryAcquire()) {
                var fault = upstream.faults().circuitOpen();
                upstream.metrics().request(fault.outcome());
                listener.onFailed(fault.failure());
                return;
            }
            long sent = System.nanoTime();
            CompletableFuture<HttpResponse<Void>> response = null;
            try {
                response = send();
                response.whenComplete((r, error) -> {
                    if (error != null) {
                        receiver.failed(error);
                    }
                });
                var outcome = read(sent);
                if (outcome.reason() instanceof FinishReason.Aborted) {
                    upstream.breaker().released();
                    upstream.metrics().request(UpstreamMetrics.Outcome.CANCELLED);
                } else {
                    upstream.breaker().succeeded(System.nanoTime() - sent);
                    upstream.metrics().request(UpstreamMetrics.Outcome.OK);
                    upstream.metrics().tokens(outcome.promptTokens(), outcome.completionTokens());
                }
                listener.onFinished(outcome);
            } catch (UpstreamFault fault) {
                if (fault.upstreamDown()) {
                    upstream.breaker().failed(System.nanoTime() - sent, fault);
                } else {
                    upstream.breaker().succeeded(System.nanoTime() - sent);
                }
                upstream.metrics().request(fault.outcome());
                listener.onFailed(fault.failure());
            } catch (InterruptedException e) {
                upstream.breaker().released();
                upstream.metrics().request(UpstreamMetrics.Outcome.CANCELLED);
                listener.onFinished(aborted(FinishReason.Aborted.SHUTDOWN, -1));
            } catch (RuntimeException e) {
                upstream.breaker().released();
                upstream.metrics().request(UpstreamMetrics.Outcome.FAILED);
                throw e;
            } finally {
                receiver.close();
                if (response != null) {
                    response.cancel(true);
                }
            }
        } catch (RuntimeException e) {
            // A bug here must still end the client's stream instead of leaving it waiting.
            listener.onFailed(e);
        } finally {
            done = true;
            upstream.ended();
        }
    }

    private CompletableFuture<HttpResponse<Void>> send() {
        byte[] body;
        try {
            body = upstream.json().writeValueAsBytes(UpstreamRequestBody.of(request, upstream.settings().model(),
                    upstream.json()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the upstream request", e);
        }
        var path = request.kind() == InferenceRequest.Kind.CHAT ? "chat/completions" : "completions";
        var http = upstream.connection().authorized(HttpRequest.newBuilder(upstream.settings().endpoint(path)),
                        Map.of("Content-Type", "application/json", "Accept", "text/event-stream",
                                "X-Request-Id", requestId))
                // Until the status line and headers arrive; the output deadlines are enforced while reading.
                .timeout(upstream.settings().firstTokenTimeout())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return upstream.connection().client().sendAsync(http, receiver.handler());
    }

    /** Reads the answer to its end; returns its outcome, or throws what went wrong. */
    private Outcome read(long sent) throws UpstreamFault, InterruptedException {
        var faults = upstream.faults();
        long firstDeadline = sent + upstream.settings().firstTokenTimeout().toNanos();
        long idle = upstream.settings().idleTimeout().toNanos();
        var opened = awaitOpened(firstDeadline);
        if (opened == null) {
            return aborted(cancelled ? FinishReason.Aborted.CANCELLED : FinishReason.Aborted.DEADLINE, -1);
        }
        if (opened.status() != 200) {
            throw faults.status(opened.status(), errorBody(idle),
                    (int) opened.headers().firstValueAsLong("Retry-After").orElse(0));
        }
        var type = opened.headers().firstValue("Content-Type").orElse("no content type");
        if (!type.startsWith("text/event-stream")) {
            throw faults.notAStream(type);
        }
        long firstOutput = -1;
        String finish = null;
        StreamChunk usage = null;
        while (true) {
            long now = System.nanoTime();
            long until = Math.min(firstOutput < 0 ? firstDeadline : now + idle, deadlineNanos);
            var event = cancelled ? new SseReceiver.Woken() : receiver.poll(until - now);
            switch (event) {
                case null -> {
                    if (System.nanoTime() - deadlineNanos >= 0) {
                        return aborted(FinishReason.Aborted.DEADLINE, firstOutput < 0 ? -1 : firstOutput - sent);
                    }
                    throw firstOutput < 0 ? faults.firstToken() : faults.idle();
                }
                case SseReceiver.Woken w -> {
                    if (cancelled) {
                        return aborted(FinishReason.Aborted.CANCELLED, firstOutput < 0 ? -1 : firstOutput - sent);
                    }
                }
                case SseReceiver.Broken b -> throw faults.broken(b.error(), firstOutput >= 0);
                case SseReceiver.Ended e -> {
                    if (finish == null) {
                        throw faults.cutShort();
                    }
                    return finished(finish, usage, firstOutput < 0 ? -1 : firstOutput - sent);
                }
                case SseReceiver.Opened o -> throw new IllegalStateException("a second response on one exchange");
                case SseReceiver.Line line -> {
                    var data = data(line.text());
                    if (data == null) {
                        continue;
                    }
                    if (data.equals("[DONE]")) {
                        if (finish == null) {
                            throw faults.cutShort();
                        }
                        return finished(finish, usage, firstOutput < 0 ? -1 : firstOutput - sent);
                    }
                    var chunk = parse(data);
                    if (chunk.error() != null) {
                        throw faults.streamError(chunk.error());
                    }
                    if (chunk.hasText()) {
                        if (firstOutput < 0) {
                            firstOutput = System.nanoTime();
                            upstream.metrics().firstToken(firstOutput - sent);
                        }
                        listener.onDelta(chunk.content(), chunk.reasoning(), List.of(), List.of());
                    }
                    if (chunk.finishReason() != null) {
                        finish = chunk.finishReason();
                    }
                    if (chunk.hasUsage()) {
                        usage = chunk;
                    }
                }
            }
        }
    }

    /** Waits for the status line; null when the client cancelled or the deadline passed first. */
    private SseReceiver.Opened awaitOpened(long firstDeadline) throws UpstreamFault, InterruptedException {
        while (true) {
            long now = System.nanoTime();
            long until = Math.min(firstDeadline, deadlineNanos);
            var event = cancelled ? new SseReceiver.Woken() : receiver.poll(until - now);
            switch (event) {
                case null -> {
                    if (System.nanoTime() - deadlineNanos >= 0) {
                        return null;
                    }
                    throw upstream.faults().firstToken();
                }
                case SseReceiver.Opened opened -> {
                    return opened;
                }
                case SseReceiver.Broken b -> throw upstream.faults().broken(b.error(), false);
                case SseReceiver.Woken w -> {
                    if (cancelled) {
                        return null;
                    }
                }
                default -> throw new IllegalStateException("body before the status line");
            }
        }
    }

    /** The body of an error answer, up to its end, a pause of idle-timeout, or {@link #MAX_ERROR_BODY}. */
    private String errorBody(long idleNanos) throws InterruptedException {
        var body = new StringBuilder();
        while (body.length() < MAX_ERROR_BODY && !cancelled) {
            var event = receiver.poll(idleNanos);
            if (!(event instanceof SseReceiver.Line line)) {
                break;
            }
            body.append(line.text()).append('\n');
        }
        return body.toString();
    }

    /** The payload of an SSE {@code data:} line; null for comments, blank lines and other fields. */
    private static String data(String line) {
        if (!line.startsWith("data:")) {
            return null;
        }
        return line.substring(5).strip();
    }

    private StreamChunk parse(String data) throws UpstreamFault {
        try {
            return StreamChunk.parse(upstream.json().readTree(data), request.kind());
        } catch (JsonProcessingException e) {
            throw upstream.faults().streamError("a stream event that is not JSON");
        }
    }

    private static Outcome finished(String finish, StreamChunk usage, long ttft) {
        // OpenAI's "length" is a limit; every other reason (stop, and tool_calls or content_filter from servers
        // that have them) means the upstream ended the answer itself.
        var reason = new FinishReason.Completed("length".equals(finish)
                ? MAX_TOKENS : EOS);
        if (usage == null) {
            return new Outcome(reason, 0, 0, 0, ttft);
        }
        return new Outcome(reason, usage.promptTokens(), usage.cachedPromptTokens(),
                usage.completionTokens(), ttft);
    }

    private static Outcome aborted(FinishReason.Aborted reason, long ttft) {
        return new Outcome(reason, 0, 0, 0, ttft);
    }
}
