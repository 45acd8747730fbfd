package ai.appliance.runtime.server;

import ai.appliance.runtime.api.ApiException;
import ai.appliance.runtime.api.ErrorKind;
import ai.appliance.runtime.openai.JsonBodyErrors;
import ai.appliance.runtime.openai.OpenAiLogprobs;
import ai.appliance.runtime.openai.OpenAiRequests;
import ai.appliance.runtime.openai.OpenAiResponses;
import ai.appliance.runtime.scheduler.TextLogprob;
import ai.appliance.runtime.security.Permission;
import ai.appliance.runtime.security.Principal;
import ai.appliance.runtime.serving.CallContext;
import ai.appliance.runtime.serving.FrontDoor;
import ai.appliance.runtime.serving.InferenceRequest;
import ai.appliance.runtime.serving.ResponseStream;
import ai.appliance.runtime.serving.ToolCallAssembler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * WebSocket front end at {@code /v1/ws}: each text message is a chat request (OpenAI schema plus an optional
 * {@code id}); the server answers with {@code chunk} messages and one {@code done} (or {@code error}) message
 * carrying that id. Several requests may run at once on one socket; {@code {"type":"cancel","id":...}} stops
 * one, closing the socket stops all. The server pings every {@code server.websocket.heartbeat} (15 s) and
 * answers {@code {"type":"ping"}} with {@code {"type":"pong"}}.
 */
public final class WebSocketApi {

    private final FrontDoor door;
    private final OpenAiRequests requests;
    private final OpenAiResponses responses;
    private final ObjectMapper json;
    private final Duration heartbeat;

    public WebSocketApi(FrontDoor door, OpenAiRequests requests, OpenAiResponses responses, ObjectMapper json,
                        Duration heartbeat) {
        this.door = door;
        this.requests = requests;
        this.responses = responses;
        this.json = json;
        this.heartbeat = heartbeat;
    }

    public WsListener newListener() {
        return new Connection();
    }

    private final class Connection implements WsListener {
        private final Map<String, ResponseStream> active = new ConcurrentHashMap<>();
        private final AtomicLong counter = new AtomicLong();
        private volatile String apiKey;
        private volatile Principal principal;
        private volatile String client = "?";
        private volatile boolean open;
        private volatile Thread pinger;

        @Override
        public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) {
            var auth = headers.first(HeaderNames.AUTHORIZATION).orElse(null);
            if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
                apiKey = auth.substring(7).trim();
            } else {
                apiKey = headers.first(HeaderNames.create("x-api-key")).orElse(null);
            }
            return Optional.empty();
        }

        @Override
        public void onOpen(WsSession session) {
            var peer = session.socketContext().remotePeer();
            client = peer.host() + ":" + peer.port();
            open = true;
            Optional<X509Certificate> cert = peer.tlsCertificates()
                    .filter(c -> c.length > 0 && c[0] instanceof X509Certificate).map(c -> (X509Certificate) c[0]);
            try {
                principal = door.access().authenticate(apiKey, cert);
                door.access().authorize(principal, Permission.GENERATE);
            } catch (ApiException e) {
                send(session, error(null, e));
                synchronized (session) {
                    session.close(1008, e.kind().code());
                }
                open = false;
                return;
            }
            pinger = Thread.ofVirtual().name("ws-heartbeat").start(() -> {
                while (open) {
                    try {
                        Thread.sleep(heartbeat);
                    } catch (InterruptedException e) {
                        return;
                    }
                    if (open) {
                        synchronized (session) {
                            session.ping(BufferData.create("hb"));
                        }
                    }
                }
            });
        }

        @Override
        public void onMessage(WsSession session, String text, boolean last) {
            if (!open || principal == null) {
                return;
            }
            JsonNode node;
            try {
                node = json.readTree(text);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                send(session, error(null, JsonBodyErrors.notJson("the message", e)));
                return;
            }
            var type = node.path("type").asText("chat");
            var id = node.hasNonNull("id") ? node.get("id").asText() : "req-" + counter.incrementAndGet();
            switch (type) {
                case "ping" -> send(session, json.createObjectNode().put("type", "pong"));
                case "cancel" -> {
                    var stream = active.get(id);
                    if (stream != null) {
                        stream.cancel();
                    }
                }
                case "chat", "completion" -> Thread.ofVirtual().name("ws-request").start(() -> run(session, node, id,
                        type.equals("chat") ? InferenceRequest.Kind.CHAT : InferenceRequest.Kind.COMPLETION));
                default -> send(session, error(id, ApiException.invalid("type",
                        "type must be chat, completion, cancel or ping, was '" + type + "'")));
            }
        }

        private void run(WsSession session, JsonNode node, String id, InferenceRequest.Kind kind) {
            var call = CallContext.start("websocket", "/v1/ws", client,
                    node.path("request_id").isTextual() ? node.get("request_id").asText() : null);
            InferenceRequest request = null;
            try {
                door.access().rateLimit(principal);
                if (active.containsKey(id)) {
                    throw ApiException.invalid("id", "a request with id '" + id + "' is already running on this socket");
                }
                request = requests.parse(node, kind);
                var stream = door.submit(call, principal, request);
                active.put(id, stream);
                try {
                    pump(session, call, request, stream, id);
                } finally {
                    active.remove(id);
                }
            } catch (ApiException e) {
                send(session, error(id, e).put("request_id", call.requestId()));
                door.finished(call, principal, request, e.kind().status());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                var error = HttpApi.internal(e);
                send(session, error(id, error).put("request_id", call.requestId()));
                door.finished(call, principal, request, error.kind().status());
            }
        }

        private void pump(WsSession session, CallContext call, InferenceRequest request, ResponseStream stream,
                          String id) throws InterruptedException {
            var content = new StringBuilder();
            var reasoning = new StringBuilder();
            var calls = new ToolCallAssembler();
            var logprobs = new ArrayList<TextLogprob>();
            var chunkLogprobs = new OpenAiLogprobs(json, request);
            int index = 0;
            while (true) {
                var event = stream.poll(Duration.ofSeconds(1));
                if (event == null) {
                    if (!open) {
                        stream.cancel();
                    }
                    continue;
                }
                switch (event) {
                    case ResponseStream.Delta d -> {
                        content.append(d.content());
                        reasoning.append(d.reasoning());
                        calls.add(d.toolCalls());
                        logprobs.addAll(d.logprobs());
                        var chunk = json.createObjectNode().put("type", "chunk").put("id", id).put("index", index++);
                        var delta = chunk.putObject("delta");
                        if (!d.content().isEmpty()) {
                            delta.put("content", d.content());
                        }
                        if (!d.reasoning().isEmpty()) {
                            delta.put("reasoning_content", d.reasoning());
                        }
                        if (!d.toolCalls().isEmpty()) {
                            delta.set("tool_calls", responses.toolCallDeltas(d.toolCalls()));
                        }
                        if (request.wantsLogprobs()) {
                            chunk.set("logprobs", chunkLogprobs.render(d.logprobs()));
                        }
                        if (!send(session, chunk)) {
                            stream.cancel();
                        }
                    }
                    case ResponseStream.Done d -> {
                        var done = json.createObjectNode().put("type", "done").put("id", id)
                                .put("request_id", call.requestId()).put("model", stream.model()).put("chunks", index);
                        done.set("message", responses.message(content.toString(), reasoning.toString(), calls.calls()));
                        if (request.wantsLogprobs()) {
                            done.set("logprobs", new OpenAiLogprobs(json, request).render(logprobs));
                        }
                        done.put("finish_reason", d.outcome().reason().openAiName());
                        var usage = done.putObject("usage");
                        usage.put("prompt_tokens", d.outcome().promptTokens());
                        usage.put("completion_tokens", d.outcome().completionTokens());
                        usage.put("total_tokens", d.outcome().promptTokens() + d.outcome().completionTokens());
                        usage.putObject("prompt_tokens_details").put("cached_tokens", d.outcome().cachedPromptTokens());
                        send(session, done);
                        door.completed(call, principal, request, stream, d.outcome(),
                                content.length() + reasoning.length() + calls.argumentChars());
                        return;
                    }
                    case ResponseStream.Failed f -> {
                        var error = HttpApi.internal(f.error());
                        send(session, error(id, error).put("request_id", call.requestId()));
                        door.finished(call, principal, request, stream, error.kind().status());
                        return;
                    }
                }
            }
        }

        private ObjectNode error(String id, ApiException e) {
            var node = json.createObjectNode().put("type", "error");
            if (id != null) {
                node.put("id", id);
            }
            node.set("error", responses.error(e).get("error"));
            node.put("status", e.kind().status());
            return node;
        }

        private boolean send(WsSession session, JsonNode node) {
            if (!open && !(node.path("type").asText().equals("error"))) {
                return false;
            }
            try {
                synchronized (session) {
                    session.send(node.toString(), true);
                }
                return true;
            } catch (RuntimeException e) {
                open = false;
                return false;
            }
        }

        @Override
        public void onClose(WsSession session, int status, String reason) {
            open = false;
            active.values().forEach(ResponseStream::cancel);
            var p = pinger;
            if (p != null) {
                p.interrupt();
            }
        }

        @Override
        public void onError(WsSession session, Throwable t) {
            onClose(session, 1011, t.getMessage());
        }
    }

    static ApiException unavailable(String message) {
        return new ApiException(ErrorKind.UNAVAILABLE, message);
    }
}
