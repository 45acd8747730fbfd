package ai.appliance.runtime.serving;

import ai.appliance.runtime.api.ApiException;
import ai.appliance.runtime.scheduler.GenerationListener;
import ai.appliance.runtime.scheduler.Outcome;
import ai.appliance.runtime.scheduler.TextLogprob;
import ai.appliance.runtime.scheduler.ToolCallDelta;
import ai.appliance.runtime.scheduler.Ticket;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A request forwarded to an upstream, standing between the upstream's output and the client's stream. It passes
 * output on; when the upstream fails before any output and a local fallback is allowed, it starts the fallback into
 * the same stream, so the client sees one answer. Once output was passed on a failure ends the stream with the
 * upstream's error: a second answer after half of the first would be worse than an error. It is also the stream's
 * cancel handle, whichever of the two is running.
 */
final class ForwardedRequest implements GenerationListener, Ticket {

    /** Starts the local fallback into the stream. */
    @FunctionalInterface
    interface LocalFallback {
        /** @throws ApiException when the local model cannot take the request (queue full, prompt too long) */
        Ticket start(Route.FallbackReason reason);
    }

    private final ResponseStream stream;
    private final LocalFallback fallback;
    private final AtomicReference<Ticket> current = new AtomicReference<>();
    private volatile boolean output;
    private volatile boolean cancelled;

    /** @param fallback null when no local model may answer instead */
    ForwardedRequest(ResponseStream stream, LocalFallback fallback) {
        this.stream = stream;
        this.fallback = fallback;
    }

    /** The upstream exchange's handle; ignored when the fallback already took over (a fast failure). */
    void forwardedAs(Ticket remote) {
        if (current.compareAndSet(null, remote) && cancelled) {
            remote.cancel();
        }
    }

    @Override
    public void onDelta(String content, String reasoning, List<ToolCallDelta> toolCalls, List<TextLogprob> logprobs) {
        output = true;
        stream.onDelta(content, reasoning, toolCalls, logprobs);
    }

    @Override
    public void onFinished(Outcome outcome) {
        stream.onFinished(outcome);
    }

    @Override
    public void onFailed(RuntimeException error) {
        if (!(error instanceof RemoteFailure failure)) {
            stream.onFailed(error);
            return;
        }
        if (output || cancelled || fallback == null || failure.fallbackReason() == null) {
            stream.onFailed(failure.clientError());
            return;
        }
        try {
            var local = fallback.start(failure.fallbackReason());
            current.set(local);
            if (cancelled) {
                local.cancel();
            }
        } catch (RuntimeException refused) {
            stream.onFailed(refused);
        }
    }

    @Override
    public void cancel() {
        cancelled = true;
        var t = current.get();
        if (t != null) {
            t.cancel();
        }
    }

    @Override
    public boolean isDone() {
        var t = current.get();
        return t != null && t.isDone();
    }
}
