package ai.appliance.runtime.mqtt;

import ai.appliance.runtime.api.ApiException;
import ai.appliance.runtime.api.ErrorKind;
import ai.appliance.runtime.config.ApplianceConfig;
import ai.appliance.runtime.openai.JsonBodyErrors;
import ai.appliance.runtime.openai.OpenAiLogprobs;
import ai.appliance.runtime.openai.OpenAiRequests;
import ai.appliance.runtime.openai.OpenAiResponses;
import ai.appliance.runtime.scheduler.TextLogprob;
import ai.appliance.runtime.security.Permission;
import ai.appliance.runtime.security.Principal;
import ai.appliance.runtime.security.Role;
import ai.appliance.runtime.security.TlsSetup;
import ai.appliance.runtime.serving.CallContext;
import ai.appliance.runtime.serving.FrontDoor;
import ai.appliance.runtime.serving.InferenceRequest;
import ai.appliance.runtime.serving.ModelCatalog;
import ai.appliance.runtime.serving.ResponseStream;
import ai.appliance.runtime.serving.ToolCallAssembler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * MQTT front end. Devices publish OpenAI-shaped requests (QoS 1) to {@code appliance/{id}/v1/chat/completions}
 * or {@code .../v1/completions}; replies go to the MQTT 5 response topic with the request's correlation data,
 * or, for MQTT 3.1.1 devices, to the {@code reply_to} topic named in the JSON with its {@code id} echoed as
 * {@code request_id}. Streaming sends numbered {@code chunk} messages and one {@code final} message.
 *
 * <p>The gateway keeps a persistent session and acknowledges a request only after its final reply is published,
 * so requests queued while the appliance was down or restarting are delivered and answered when it comes back.
 * Requests seen before (same correlation) are answered from memory, never run twice. A retained
 * {@code appliance/{id}/status} message (with a last will) says online/offline and which model runs.
 */
public final class MqttGateway implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(MqttGateway.class.getName());
    private final ApplianceConfig.Mqtt settings;
    private final FrontDoor door;
    private final OpenAiRequests requests;
    private final OpenAiResponses responses;
    private final ObjectMapper json;
    private final ModelCatalog catalog;
    private final ReplyCache replies;
    private final Semaphore inflight = new Semaphore(8);
    private final String prefix;
    private final MqttTransport transport;
    private final ReplyTopics replyTopics;
    /** Only the embedded broker's identity stamps are believed: it authenticated the publisher. */
    private final boolean trustsDeviceStamps;
    private volatile boolean closing;
    private volatile boolean accepting = true;
    /** Requests being handled, until acknowledged: close waits for them. Guarded by {@code handlingLock}. */
    private final Object handlingLock = new Object();
    private int handling;

    private MqttGateway(ApplianceConfig.Mqtt settings, MqttTransport transport, FrontDoor door,
                        OpenAiRequests requests, OpenAiResponses responses, ObjectMapper json, ModelCatalog catalog,
                        boolean trustsDeviceStamps) {
        this.trustsDeviceStamps = trustsDeviceStamps;
        this.settings = settings;
        this.transport = transport;
        this.door = door;
        this.requests = requests;
        this.responses = responses;
        this.json = json;
        this.catalog = catalog;
        this.replies = new ReplyCache(settings.maxCachedReplies());
        this.prefix = "appliance/" + settings.applianceId();
        this.replyTopics = new ReplyTopics(settings.replyTopics(), prefix, settings.deviceErrorTopic());
    }

    /**
     * Connects over MQTT 5, or 3.1.1 when the connection asks for it (external brokers without MQTT 5); waits up to
     * 10 s for the first connection and keeps retrying in the background after that.
     */
    public static MqttGateway start(ApplianceConfig.Mqtt settings, BrokerConnection broker,
                                    FrontDoor door, OpenAiRequests requests, OpenAiResponses responses,
                                    ObjectMapper json, ModelCatalog catalog) {
        var sockets = broker.tls() == null ? null : TlsSetup.clientContext(broker.tls()).getSocketFactory();
        var clientId = "appliance-" + settings.applianceId();
        MqttTransport transport;
        try {
            transport = broker.protocol311()
                    ? new Mqtt3Transport(broker.url(), clientId, broker.username(), broker.password(), sockets)
                    : new Mqtt5Transport(broker.url(), clientId, broker.username(), broker.password(), sockets);
        } catch (Exception e) {
            throw new IllegalStateException("cannot set up the MQTT client for " + broker.url() + ": " + e.getMessage(), e);
        }
        var gateway = new MqttGateway(settings, transport, door, requests, responses, json, catalog,
                broker.trustsDeviceStamps());
        transport.connect(gateway.new Events(), gateway.prefix + "/status", gateway.status(false));
        catalog.onChange(c -> gateway.publishStatus(true));
        LOG.info(() -> "MQTT " + transport.protocol() + " gateway for " + broker.url() + " on " + gateway.prefix + "/v1/#");
        return gateway;
    }

    public String topicPrefix() {
        return prefix;
    }

    public boolean connected() {
        return transport.isConnected();
    }

    private final class Events implements MqttTransport.Listener {
        @Override
        public void connected() {
            door.metrics().mqttConnected(true);
            Thread.ofVirtual().name("mqtt-subscribe").start(() -> {
                try {
                    // One filter: Moquette 0.17 delivered a message twice (and lost replies) with two overlapping ones.
                    transport.subscribe(prefix + "/v1/#");
                    publishStatus(true);
                } catch (Exception e) {
                    LOG.log(Level.SEVERE, "MQTT subscribe failed: " + e.getMessage());
                }
            });
        }

        @Override
        public void disconnected(String reason) {
            door.metrics().mqttConnected(false);
            if (!closing) {
                LOG.warning("MQTT disconnected (" + reason + "); reconnecting");
            }
        }

        @Override
        public void arrived(MqttTransport.Incoming message) {
            if (!accepting) {
                return; // not acknowledged: the broker keeps it in our session and redelivers after the restart
            }
            synchronized (handlingLock) {
                handling++;
            }
            // Never block the client's callback thread: each request runs on its own virtual thread.
            Thread.ofVirtual().name("mqtt-request").start(() -> {
                try {
                    handle(message);
                } finally {
                    synchronized (handlingLock) {
                        handling--;
                        handlingLock.notifyAll();
                    }
                }
            });
        }
    }

    /** Where and how to answer one request. */
    private record ReplyTo(String topic, byte[] correlation, String requestId) {
        String cacheKey() {
            if (correlation != null) {
                return topic + "|" + Base64.getEncoder().encodeToString(correlation);
            }
            return requestId == null ? null : topic + "|id:" + requestId;
        }
    }

    /** Who sent a request, as far as the gateway knows before it runs it. */
    private record Requester(Principal principal, Optional<String> device) {
        static final Requester UNKNOWN = new Requester(null, Optional.empty());

        Role role() {
            return principal == null ? Role.USER : principal.role();
        }
    }

    private void handle(MqttTransport.Incoming message) {
        var topic = message.topic();
        if (topic.equals(prefix + "/v1/errors")) {
            // Our own error reports come back through the v1/# subscription; answering them (they name no reply
            // topic) would report an error about the error report, and so on without end.
            ack(message);
            return;
        }
        var call = CallContext.start("mqtt", topic, "mqtt", null);
        var stamped = trustsDeviceStamps ? MqttDevice.fromProperties(message.userProperties()) : Optional.<MqttDevice>empty();
        var requester = stamped.map(d -> new Requester(d.principal(), Optional.of(d.id()))).orElse(Requester.UNKNOWN);
        ReplyTo replyTo = message.responseTopic() != null
                ? new ReplyTo(message.responseTopic(), message.correlation(), correlationText(message.correlation()))
                : null;
        boolean replyChecked = false;
        Principal principal = null;
        InferenceRequest request = null;
        ResponseStream stream = null;
        String key = null;
        try {
            if (message.payload().length > settings.maxPayloadBytes()) {
                throw new ApiException(ErrorKind.PAYLOAD_TOO_LARGE, "the request has " + message.payload().length
                        + " bytes; the limit is " + settings.maxPayloadBytes());
            }
            JsonNode body;
            try {
                body = json.readTree(message.payload());
            } catch (java.io.IOException e) {
                throw e instanceof com.fasterxml.jackson.core.JsonProcessingException notJson
                        ? JsonBodyErrors.notJson("the payload", notJson)
                        : ApiException.invalid(null, "the payload could not be read");
            }
            if (body == null || !body.isObject()) {
                throw ApiException.invalid(null, "the payload must be a JSON object");
            }
            if (replyTo == null || replyTo.correlation() == null) {
                var id = body.hasNonNull("id") ? body.get("id").asText() : null;
                var to = replyTo != null ? replyTo.topic()
                        : body.hasNonNull("reply_to") ? body.get("reply_to").asText() : null;
                replyTo = to == null ? null : new ReplyTo(to, null, id);
            }
            if (replyTo == null) {
                throw ApiException.invalid("reply_to", "no reply topic: use an MQTT 5 response topic or a reply_to field");
            }
            // The device's correlation (MQTT 5) or "id" (3.1.1) already names the request end to end.
            call = call.withRequestId(replyTo.requestId());
            if (replyTo.topic().contains("#") || replyTo.topic().contains("+")) {
                throw ApiException.invalid("reply_to", "the reply topic '" + replyTo.topic() + "' must not contain wildcards");
            }
            if (stamped.isEmpty()) {
                requester = identify(body, message);
            }
            if (!replyTopics.allows(replyTo.topic(), requester.device(), requester.role())) {
                throw refusedReplyTopic(replyTo.topic(), requester);
            }
            replyChecked = true;
            key = replyTo.cacheKey();
            if (key != null) {
                var seen = replies.claim(key);
                if (seen.isPresent()) {
                    if (seen.get() instanceof ReplyCache.Answered answered) {
                        publish(replyTo, answered.finalReply());
                    }
                    // Still running: the first delivery answers it.
                    ack(message);
                    return;
                }
            }
            principal = door.admit(requester.principal(), Permission.GENERATE);
            if (!topic.equals(prefix + "/v1/chat/completions") && !topic.equals(prefix + "/v1/completions")) {
                throw new ApiException(ErrorKind.NOT_FOUND, "no MQTT endpoint " + topic
                        + "; publish to " + prefix + "/v1/chat/completions or /v1/completions");
            }
            var kind = topic.endsWith("/chat/completions") ? InferenceRequest.Kind.CHAT : InferenceRequest.Kind.COMPLETION;
            request = requests.parse(withoutTransportFields(body), kind);
            stream = door.submit(call, principal, request);
            var finalReply = pump(replyTo, call, principal, request, stream);
            if (key != null) {
                replies.answered(key, finalReply);
            }
        } catch (ApiException e) {
            if (key != null) {
                replies.forget(key);
            }
            var to = errorDestination(replyTo, replyChecked, requester);
            publishOrReport(to, errorReply(to, e));
            door.finished(call, principal, request, stream, e.kind().status());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "MQTT request on " + topic + " failed", e);
            if (key != null) {
                replies.forget(key);
            }
            var api = new ApiException(ErrorKind.INTERNAL, "internal error; the appliance log has the details");
            var to = errorDestination(replyTo, replyChecked, requester);
            publishOrReport(to, errorReply(to, api));
            door.finished(call, principal, request, 500);
        }
        ack(message);
    }

    /**
     * The requester of a message the broker did not stamp: from the API key in the message (user property or
     * {@code api_key}); with security off, the local principal and no device id.
     */
    private Requester identify(JsonNode body, MqttTransport.Incoming message) {
        var principal = door.access().authenticate(apiKey(body, message.authorization()), Optional.empty());
        if (!door.access().enabled()) {
            return new Requester(principal, Optional.empty());
        }
        if (!MqttDevice.isValidId(principal.name())) {
            throw new ApiException(ErrorKind.FORBIDDEN, "the API key '" + principal.name() + "' cannot be used over"
                    + " MQTT: its name is the device id in reply topics and must be one topic level (no '/', '+', '#')");
        }
        return new Requester(principal, Optional.of(principal.name()));
    }

    private ApiException refusedReplyTopic(String topic, Requester requester) {
        var who = requester.device().map(d -> "device '" + d + "'").orElse("an unidentified device");
        var allowed = replyTopics.filtersFor(requester.device(), requester.role());
        LOG.warning("MQTT reply topic '" + topic + "' refused for " + who + " (allowed: " + allowed + ")");
        return new ApiException(ErrorKind.FORBIDDEN, "the reply topic '" + topic + "' is not allowed for " + who
                + "; use one matching " + String.join(" or ", allowed) + " (mqtt.reply-topics)", "reply_to", 0);
    }

    /**
     * Where an error may go: the request's reply topic once it was checked, or if the requester may use it anyway;
     * else the device's own error topic, else (no device known) the appliance's error topic. Never a topic the
     * requester could not ask for: a malformed request must not make the gateway publish on its status topic.
     */
    private ReplyTo errorDestination(ReplyTo replyTo, boolean checked, Requester requester) {
        if (replyTo != null && (checked || !replyTo.topic().contains("#") && !replyTo.topic().contains("+")
                && replyTopics.allows(replyTo.topic(), requester.device(), requester.role()))) {
            return replyTo;
        }
        var correlation = replyTo == null ? null : replyTo.correlation();
        var requestId = replyTo == null ? null : replyTo.requestId();
        return requester.device()
                .map(d -> new ReplyTo(replyTopics.errorTopic(d), correlation, requestId))
                .orElse(replyTo == null ? null : new ReplyTo(prefix + "/v1/errors", correlation, requestId));
    }

    /** Streams or collects the answer; returns the final message (kept for redelivered duplicates). */
    private byte[] pump(ReplyTo replyTo, CallContext call, Principal principal, InferenceRequest request,
                        ResponseStream stream) throws InterruptedException {
        var content = new StringBuilder();
        var reasoning = new StringBuilder();
        var calls = new ToolCallAssembler();
        var logprobs = new ArrayList<TextLogprob>();
        var chunkLogprobs = new OpenAiLogprobs(json, request);
        int seq = 0;
        while (true) {
            var event = stream.poll(Duration.ofSeconds(30));
            if (event == null) {
                continue;
            }
            switch (event) {
                case ResponseStream.Delta d -> {
                    content.append(d.content());
                    reasoning.append(d.reasoning());
                    calls.add(d.toolCalls());
                    logprobs.addAll(d.logprobs());
                    if (request.stream()) {
                        var chunk = envelope("chunk", replyTo, seq++);
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
                        publish(replyTo, bytes(chunk));
                    }
                }
                case ResponseStream.Done d -> {
                    var done = new ResponseStream.Completed(content.toString(), reasoning.toString(), calls.calls(),
                            List.copyOf(logprobs), d.outcome());
                    var reply = envelope("final", replyTo, seq);
                    reply.put("chunks", seq);
                    reply.set("response", responses.completion(request, stream, done));
                    var payload = bytes(reply);
                    publish(replyTo, payload);
                    door.completed(call, principal, request, stream, d.outcome(), done.chars());
                    return payload;
                }
                case ResponseStream.Failed f -> throw f.error();
            }
        }
    }

    private ObjectNode envelope(String type, ReplyTo replyTo, int seq) {
        var node = json.createObjectNode();
        node.put("type", type);
        if (replyTo != null && replyTo.requestId() != null) {
            node.put("request_id", replyTo.requestId());
        }
        node.put("seq", seq);
        return node;
    }

    private byte[] errorReply(ReplyTo replyTo, ApiException e) {
        var node = envelope("error", replyTo, 0);
        node.put("status", e.kind().status());
        node.set("error", responses.error(e).get("error"));
        return bytes(node);
    }

    /** Errors for requests with no usable reply topic go to {@code appliance/{id}/v1/errors}: never silence. */
    private void publishOrReport(ReplyTo replyTo, byte[] payload) {
        publish(replyTo != null ? replyTo : new ReplyTo(prefix + "/v1/errors", null, null), payload);
    }

    private void publish(ReplyTo replyTo, byte[] payload) {
        try {
            inflight.acquire();
            try {
                transport.publish(replyTo.topic(), payload, replyTo.correlation(), false);
            } finally {
                inflight.release();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warning("MQTT publish to " + replyTo.topic() + " failed: " + e.getMessage());
        }
    }

    private void ack(MqttTransport.Incoming message) {
        try {
            transport.ack(message);
        } catch (Exception e) {
            LOG.warning("MQTT ack failed (the broker will redeliver; the reply cache answers it): " + e.getMessage());
        }
    }

    /** Publishes the retained status; online=false is also the last will. */
    public void publishStatus(boolean online) {
        if (!transport.isConnected()) {
            return;
        }
        try {
            transport.publish(prefix + "/status", status(online), null, true);
        } catch (Exception e) {
            LOG.warning("MQTT status publish failed: " + e.getMessage());
        }
    }

    private byte[] status(boolean online) {
        var node = json.createObjectNode();
        node.put("state", online ? "online" : "offline");
        node.put("appliance", settings.applianceId());
        node.put("protocol", transport.protocol());
        if (online) {
            var models = node.putArray("models");
            String model = null;
            String version = null;
            boolean demo = false;
            for (var m : catalog.list()) {
                models.addObject().put("name", m.name()).put("version", m.version()).put("weight", m.weight())
                        .put("demo", m.demo());
                if (model == null || m.weight() > 0 && version == null) {
                    model = m.name();
                    version = m.version();
                    demo = m.demo();
                }
            }
            node.put("model", model);
            node.put("version", version);
            node.put("demo", demo);
        }
        node.put("time", Instant.now().toString());
        return bytes(node);
    }

    private static String correlationText(byte[] correlation) {
        if (correlation == null) {
            return null;
        }
        var text = new String(correlation, StandardCharsets.UTF_8);
        return text.chars().allMatch(c -> c >= 0x20 && c < 0x7f) ? text
                : Base64.getEncoder().encodeToString(correlation);
    }

    private static String apiKey(JsonNode body, String authorization) {
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).trim();
        }
        return body.hasNonNull("api_key") ? body.get("api_key").asText() : null;
    }

    private static JsonNode withoutTransportFields(JsonNode body) {
        var copy = ((ObjectNode) body).deepCopy();
        copy.remove("reply_to");
        copy.remove("id");
        copy.remove("api_key");
        return copy;
    }

    private byte[] bytes(JsonNode node) {
        try {
            return json.writeValueAsBytes(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Stops taking requests at shutdown: new ones stay unacknowledged in the persistent session and are
     * delivered again when the appliance is back.
     */
    public void quiesce() {
        accepting = false;
    }

    /**
     * Leaves cleanly: lets requests still being handled publish their reply and acknowledge (up to 10 s; else the
     * broker would deliver an answered request again after the restart), then status offline (retained), then a
     * normal disconnect (no last will).
     */
    @Override
    public void close() {
        accepting = false;
        closing = true;
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        synchronized (handlingLock) {
            long left;
            while (handling > 0 && (left = deadline - System.nanoTime()) > 0) {
                try {
                    handlingLock.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (handling > 0) {
                LOG.warning(handling + " MQTT request(s) still running at shutdown; the broker delivers them again");
            }
        }
        publishStatus(false);
        transport.close();
        door.metrics().mqttConnected(false);
    }
}
