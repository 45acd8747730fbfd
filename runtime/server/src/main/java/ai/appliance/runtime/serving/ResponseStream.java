package ai.appliance.runtime.serving;

import ai.appliance.runtime.chat.ToolCall;
import ai.appliance.runtime.scheduler.GenerationListener;
import ai.appliance.runtime.scheduler.Outcome;
import ai.appliance.runtime.scheduler.TextLogprob;
import ai.appliance.runtime.scheduler.Ticket;
import ai.appliance.runtime.scheduler.ToolCallDelta;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One request's output as a queue of events, filled by the scheduler thread (or, for a request forwarded to an
 * upstream, by the thread reading the upstream's stream) and drained by the front end's own (virtual) thread, so a
 * slow client never stalls the batch. It also says where the request was answered ({@link #route()}), which can
 * change once: from an upstream to its local fallback, before any output.
 */
public final class ResponseStream implements GenerationListener {

    /** What a front end reads. */
    public sealed interface Event permits Delta, Done, Failed { }

    /**
     * Text that became final, pieces of tool calls, and the log probabilities of the tokens generated since the last
     * delta (if asked).
     */
    public record Delta(String content, String reasoning, List<ToolCallDelta> toolCalls, List<TextLogprob> logprobs)
            implements Event { }

    public record Done(Outcome outcome) implements Event { }

    public record Failed(RuntimeException error) implements Event { }

    /**
     * The whole answer of a non-streaming request; {@code logprobs} is empty unless the request asked for them,
     * {@code toolCalls} unless the model called tools.
     */
    public record Completed(String content, String reasoning, List<ToolCall> toolCalls, List<TextLogprob> logprobs,
                            Outcome outcome) {
        /** Characters of the answer: text and tool-call arguments (the audit log's response size). */
        public int chars() {
            int n = content.length() + reasoning.length();
            for (var call : toolCalls) n += call.arguments().length();
            return n;
        }
    }

    private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final String id;
    private final long created;
    private final boolean localOnly;
    private volatile String model;
    private volatile String version;
    private volatile Route route;
    private volatile Ticket ticket;
    private volatile boolean cancelled;

    /** @param localOnly the request had to stay on this appliance (its own flag, or its key's or role's setting) */
    ResponseStream(String id, boolean localOnly) {
        this.id = id;
        this.created = System.currentTimeMillis() / 1000;
        this.localOnly = localOnly;
    }

    /** Set before the first event, and again only when a local fallback takes over before any output. */
    void answeredBy(String model, String version, Route route) {
        this.model = model;
        this.version = version;
        this.route = route;
    }

    /** The handle that cancels the work behind this stream; a cancel that came first applies to it at once. */
    void attach(Ticket t) {
        this.ticket = t;
        if (cancelled) {
            t.cancel();
        }
    }

    public String id() {
        return id;
    }

    public long created() {
        return created;
    }

    /** The name of the model that answers: a local model, or the model entry of an upstream. */
    public String model() {
        return model;
    }

    /** The local version, or for an upstream the model id it serves. */
    public String version() {
        return version;
    }

    /** Where the request is answered. */
    public Route route() {
        return route;
    }

    public boolean localOnly() {
        return localOnly;
    }

    /** Next event, or null if none came within {@code wait} (lets callers send heartbeats). */
    public Event poll(Duration wait) throws InterruptedException {
        return events.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Stops generation; the stream then ends with a cancelled outcome. */
    public void cancel() {
        cancelled = true;
        var t = ticket;
        if (t != null) {
            t.cancel();
        }
    }

    /** Waits for the end and returns the whole text. */
    public Completed collect() throws InterruptedException {
        var content = new StringBuilder();
        var reasoning = new StringBuilder();
        var calls = new ToolCallAssembler();
        var logprobs = new ArrayList<TextLogprob>();
        while (true) {
            var e = events.take();
            switch (e) {
                case Delta d -> {
                    content.append(d.content());
                    reasoning.append(d.reasoning());
                    calls.add(d.toolCalls());
                    logprobs.addAll(d.logprobs());
                }
                case Done d -> {
                    return new Completed(content.toString(), reasoning.toString(), calls.calls(), List.copyOf(logprobs),
                            d.outcome());
                }
                case Failed f -> throw f.error();
            }
        }
    }

    @Override
    public void onDelta(String content, String reasoning, List<ToolCallDelta> toolCalls, List<TextLogprob> logprobs) {
        events.add(new Delta(content, reasoning, List.copyOf(toolCalls), List.copyOf(logprobs)));
    }

    @Override
    public void onFinished(Outcome outcome) {
        events.add(new Done(outcome));
    }

    @Override
    public void onFailed(RuntimeException error) {
        events.add(new Failed(error));
    }
}
