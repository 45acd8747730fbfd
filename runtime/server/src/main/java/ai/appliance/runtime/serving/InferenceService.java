package ai.appliance.runtime.serving;

import ai.appliance.runtime.api.ApiException;
import ai.appliance.runtime.api.ErrorKind;
import ai.appliance.runtime.routing.RoutingPolicy;
import ai.appliance.runtime.scheduler.Generation;
import ai.appliance.runtime.scheduler.KvCacheTooLargeException;
import ai.appliance.runtime.scheduler.PromptTooLongException;
import ai.appliance.runtime.scheduler.QueueFullException;
import ai.appliance.runtime.scheduler.SchedulerClosedException;
import ai.appliance.runtime.scheduler.Ticket;
import ai.appliance.runtime.security.Principal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;

/**
 * The one entry point every front end uses to run a request: route (by the routing policy, to a local model or an
 * upstream), render, queue or forward. A request for an upstream that must stay local, or whose upstream fails
 * before any output, goes to the upstream's local fallback when it has one.
 */
public final class InferenceService {

    /** Characters per token assumed when no local model can measure a prompt (English text with BPE vocabularies). */
    private static final int CHARS_PER_TOKEN_ESTIMATE = 4;

    private final ModelCatalog catalog;
    private final Duration requestTimeout;
    private final RoutingPolicy routing;
    private final Map<String, RemoteModel> remotes = new LinkedHashMap<>();

    /** Local models only, every request going where it asks. */
    public InferenceService(ModelCatalog catalog, Duration requestTimeout) {
        this(catalog, requestTimeout, RoutingPolicy.NONE, List.of());
    }

    /**
     * @param requestTimeout per-request deadline, from submission to the last token
     * @param remotes        model entries answered by upstreams, by name
     */
    public InferenceService(ModelCatalog catalog, Duration requestTimeout, RoutingPolicy routing,
                            List<? extends RemoteModel> remotes) {
        this.catalog = catalog;
        this.requestTimeout = requestTimeout;
        this.routing = routing;
        remotes.forEach(r -> this.remotes.put(r.name(), r));
    }

    public ModelCatalog catalog() {
        return catalog;
    }

    /** The model entries answered by upstreams. */
    public List<RemoteModel> remotes() {
        return List.copyOf(remotes.values());
    }

    /** Local versions, then upstream model entries: what /v1/models lists. */
    public List<ModelInfo> models() {
        var out = new ArrayList<>(catalog.list());
        remotes.values().forEach(r -> out.add(r.info()));
        return out;
    }

    /**
     * Routes {@code request}, queues or forwards it, and returns its output stream at once.
     *
     * @param caller    who sent it (routing rules and local-only settings look at its key and role)
     * @param requestId the call's id, passed on to an upstream
     * @throws ApiException when it cannot be started (unknown model, bad request, queue full, shutting down, a
     *                      local-only request for an upstream without a fallback)
     */
    public ResponseStream submit(InferenceRequest request, Principal caller, String requestId) {
        long deadline = System.nanoTime() + requestTimeout.toNanos();
        var probe = new PromptProbe(request);
        var decision = refusingLocally(() -> routing.decide(request.model(), caller, request.routing().localOnly(),
                probe::tokens));
        var stream = new ResponseStream(newId(request), decision.localOnly());
        var remote = decision.model() == null ? null : remotes.get(decision.model());
        if (remote == null) {
            stream.attach(startLocal(request, decision.model(), stream, served -> new Route.Local(served.name()), probe,
                    deadline));
            return stream;
        }
        if (decision.localOnly()) {
            if (remote.fallback() == null) {
                throw ApiException.invalid("model", "the model '" + remote.name() + "' is answered by an upstream"
                        + " server, and this request must stay on this appliance (local_only, set by the request or"
                        + " for its API key or role); ask for a local model (GET /v1/models), or give '" + remote.name()
                        + "' a local fallback");
            }
            stream.attach(startLocal(request, remote.fallback(), stream,
                    served -> new Route.Fallback(served.name(), remote.name(), Route.FallbackReason.LOCAL_ONLY), probe,
                    deadline));
            return stream;
        }
        catalog.requireOpen();
        if (request.wantsLogprobs()) {
            throw ApiException.invalid("logprobs", "log probabilities are not passed on from the upstream behind '"
                    + remote.name() + "'; ask a local model for them, or leave logprobs out");
        }
        // The forwarding path carries text only: a shape or a tool the upstream's answer would not be held to is
        // refused rather than half-answered.
        if (!(request.responseFormat() instanceof ResponseFormat.Text)) {
            throw ApiException.invalid("response_format", "structured output is not passed on to the upstream behind '"
                    + remote.name() + "'; ask a local model for it, or leave response_format out");
        }
        if (request.tools().active() || request.messages().stream().anyMatch(m -> !m.toolCalls().isEmpty()
                || m.role().equals("tool"))) {
            throw ApiException.invalid("tools", "tool calls are not passed on to the upstream behind '"
                    + remote.name() + "'; ask a local model for them, or leave tools and tool messages out");
        }
        stream.answeredBy(remote.name(), remote.info().version(), new Route.Forwarded(remote.name()));
        ForwardedRequest.LocalFallback fallback = remote.fallback() == null || !request.routing().allowFallback()
                ? null
                : reason -> startLocal(request, remote.fallback(), stream,
                        served -> new Route.Fallback(served.name(), remote.name(), reason), probe, deadline);
        var forwarded = new ForwardedRequest(stream, fallback);
        stream.attach(forwarded);
        forwarded.forwardedAs(remote.forward(request, requestId, deadline, forwarded));
        return stream;
    }

    private static String newId(InferenceRequest request) {
        var prefix = request.kind() == InferenceRequest.Kind.CHAT ? "chatcmpl-" : "cmpl-";
        return prefix + UUID.randomUUID().toString().replace("-", "");
    }

    /** Renders {@code request} on a version of local model {@code name} (null: the default) and queues it. */
    private Ticket startLocal(InferenceRequest request, String name, ResponseStream stream,
                              Function<ServedVersion, Route> route, PromptProbe probe, long deadline) {
        // A version being retired refuses new work; the route then already points at its successor.
        for (int attempt = 0; ; attempt++) {
            var measured = attempt == 0 ? probe.take(name) : null;
            var served = measured != null ? measured.served() : catalog.route(name);
            var generation = measured != null ? measured.generation() : null;
            try {
                // Refuse before rendering and tokenizing: under a burst that work is what delays the refusals.
                served.scheduler().requireQueueRoom();
                if (generation == null) {
                    generation = served.model().start(request);
                }
                stream.answeredBy(served.name(), served.version(), route.apply(served));
                return served.scheduler().submit(generation, request.maxTokens(), deadline, stream);
            } catch (SchedulerClosedException e) {
                if (attempt >= 2 || catalog.route(name) == served) {
                    throw new ApiException(ErrorKind.UNAVAILABLE, e.getMessage(), null, 5);
                }
            } catch (RuntimeException e) {
                throw refusal(e);
            }
        }
    }

    private static <T> T refusingLocally(java.util.function.Supplier<T> action) {
        try {
            return action.get();
        } catch (RuntimeException e) {
            throw refusal(e);
        }
    }

    /** What a client hears when a local model cannot take its request. */
    private static RuntimeException refusal(RuntimeException e) {
        return switch (e) {
            case ApiException api -> api;
            case QueueFullException full -> new ApiException(ErrorKind.QUEUE_FULL, full.getMessage(), null, 1);
            case PromptTooLongException tooLong ->
                    new ApiException(ErrorKind.CONTEXT_LENGTH_EXCEEDED, tooLong.getMessage(), "messages", 0);
            case KvCacheTooLargeException kv -> ApiException.invalid("max_tokens", kv.getMessage());
            case SchedulerClosedException closed -> new ApiException(ErrorKind.UNAVAILABLE, closed.getMessage(), null, 5);
            case IllegalArgumentException invalid -> ApiException.invalid(null, invalid.getMessage());
            default -> e;
        };
    }

    /**
     * Measures the prompt for rules by prompt length, once and only when a rule asks: rendered and tokenized by the
     * local model the request would otherwise use (the model it names; for an upstream its fallback; else the default
     * model). The rendered generation is kept, so a request that then stays on that model is not rendered twice.
     */
    private final class PromptProbe {
        private final InferenceRequest request;
        private boolean measured;
        private int tokens;
        private String measuredFor;
        private ServedVersion served;
        private Generation generation;

        PromptProbe(InferenceRequest request) {
            this.request = request;
        }

        int tokens() {
            if (!measured) {
                measured = true;
                tokens = measure();
            }
            return tokens;
        }

        private int measure() {
            var remote = request.model() == null ? null : remotes.get(request.model());
            var name = remote == null ? request.model() : remote.fallback();
            if (name == null && catalog.isEmpty()) {
                return estimate();
            }
            ServedVersion version;
            try {
                version = catalog.route(name);
            } catch (ApiException notServed) {
                // The named model does not exist; a rule may still send the request somewhere that does.
                return estimate();
            }
            version.scheduler().requireQueueRoom();
            try {
                var started = version.model().start(request);
                measuredFor = name;
                served = version;
                generation = started;
                return started.promptTokens().length;
            } catch (PromptTooLongException e) {
                // Too long for the local model is exactly what a rule by length may send elsewhere.
                return e.promptTokens();
            }
        }

        private int estimate() {
            var text = request.promptText();
            return text == null ? 0 : (text.length() + CHARS_PER_TOKEN_ESTIMATE - 1) / CHARS_PER_TOKEN_ESTIMATE;
        }

        /**
         * The version measured on and its rendered generation, when local model {@code name} (null: the default) is
         * the one measured; handed out once, as a generation serves one request.
         */
        Measured take(String name) {
            if (served == null || !(Objects.equals(name, measuredFor) || served.name().equals(name))) {
                return null;
            }
            var out = new Measured(served, generation);
            served = null;
            generation = null;
            return out;
        }
    }

    private record Measured(ServedVersion served, Generation generation) { }
}
