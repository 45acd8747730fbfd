package ai.appliance.runtime.server;

import ai.appliance.runtime.api.ApiException;
import ai.appliance.runtime.api.ErrorKind;
import ai.appliance.runtime.audit.AuditLog;
import ai.appliance.runtime.models.LoadablePaths;
import ai.appliance.runtime.models.ModelPaths;
import ai.appliance.runtime.openai.JsonBodyErrors;
import ai.appliance.runtime.openai.OpenAiLogprobs;
import ai.appliance.runtime.openai.OpenAiRequests;
import ai.appliance.runtime.openai.OpenAiResponses;
import ai.appliance.runtime.security.Permission;
import ai.appliance.runtime.security.Principal;
import ai.appliance.runtime.serving.CallContext;
import ai.appliance.runtime.serving.FrontDoor;
import ai.appliance.runtime.serving.InferenceRequest;
import ai.appliance.runtime.serving.ModelLoader;
import ai.appliance.runtime.serving.Readiness;
import ai.appliance.runtime.serving.RequestIds;
import ai.appliance.runtime.serving.ResponseStream;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The REST front end: OpenAI-compatible generation endpoints (JSON or server-sent events), model listing and
 * management, health, metrics and audit download. Handlers run on Helidon's virtual threads and block on
 * the request's {@link ResponseStream}.
 */
public final class HttpApi {

    private static final Logger LOG = Logger.getLogger(HttpApi.class.getName());
    private static final Duration HEARTBEAT = Duration.ofSeconds(15);

    private final FrontDoor door;
    private final OpenAiRequests requests;
    private final OpenAiResponses responses;
    private final ObjectMapper json;
    private final Readiness readiness;
    private final AuditLog audit;
    private final ModelLoader loader;
    private final LoadablePaths loadablePaths;
    private final RequestBodies bodies;

    /** @param loadablePaths where {@code /v1/models/{name}/load} may read models from */
    HttpApi(FrontDoor door, OpenAiRequests requests, OpenAiResponses responses, ObjectMapper json,
            Readiness readiness, AuditLog audit, ModelLoader loader, LoadablePaths loadablePaths,
            RequestBodies bodies) {
        this.door = door;
        this.requests = requests;
        this.responses = responses;
        this.json = json;
        this.readiness = readiness;
        this.audit = audit;
        this.loader = loader;
        this.loadablePaths = loadablePaths;
        this.bodies = bodies;
    }

    public void register(HttpRouting.Builder routing) {
        routing.post("/v1/chat/completions", (req, res) -> generate(req, res, InferenceRequest.Kind.CHAT))
                .post("/v1/completions", (req, res) -> generate(req, res, InferenceRequest.Kind.COMPLETION))
                .get("/v1/models", this::models)
                .post("/v1/models/{name}/load", this::load)
                .post("/v1/models/{name}/switch", this::switchVersion)
                .post("/v1/models/{name}/split", this::split)
                .get("/v1/audit", this::auditFile)
                .get("/metrics", this::metrics)
                .get("/health/live", (req, res) -> healthBody(res, true, java.util.Map.of()))
                .get("/health/ready", this::ready)
                .any((req, res) -> sendError(res, new ApiException(ErrorKind.NOT_FOUND,
                        "no endpoint " + req.prologue().method().text() + " " + req.path().path()
                                + "; see docs/api.md")))
                .error(Throwable.class, (req, res, t) -> {
                    LOG.log(Level.SEVERE, "unexpected error in " + req.path().path(), t);
                    if (!res.isSent()) {
                        sendError(res, new ApiException(ErrorKind.INTERNAL,
                                "internal error; the server log has the details"));
                    }
                });
    }

    private void generate(ServerRequest req, ServerResponse res, InferenceRequest.Kind kind) {
        var call = start(req, res);
        Principal principal = null;
        InferenceRequest request = null;
        ResponseStream stream = null;
        try {
            principal = door.admit(apiKey(req), certificate(req), Permission.GENERATE);
            request = requests.parse(bodies.read(req), kind);
            stream = door.submit(call, principal, request);
            if (request.stream()) {
                streamEvents(res, call, principal, request, stream);
            } else {
                var done = stream.collect();
                var body = json.writeValueAsBytes(responses.completion(request, stream, done));
                // Audit before answering: a client that saw its answer can rely on the audit line existing.
                door.completed(call, principal, request, stream, done.outcome(), done.chars());
                res.header(HeaderNames.CONTENT_TYPE, "application/json");
                res.send(body);
            }
        } catch (ApiException e) {
            sendError(res, e);
            door.finished(call, principal, request, stream, e.kind().status());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            door.finished(call, principal, request, stream, 499);
        } catch (IOException | RuntimeException e) {
            var error = internal(e);
            if (!res.isSent()) {
                sendError(res, error);
            }
            door.finished(call, principal, request, stream, error.kind().status());
        }
    }

    /** Server-sent events in OpenAI's format, ending with {@code data: [DONE]}; heartbeats keep proxies open. */
    private void streamEvents(ServerResponse res, CallContext call, Principal principal, InferenceRequest request,
                              ResponseStream stream) throws InterruptedException {
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        int chars = 0;
        boolean first = true;
        var logprobs = new OpenAiLogprobs(json, request);
        try (OutputStream out = res.outputStream()) {
            while (true) {
                var event = stream.poll(HEARTBEAT);
                if (event == null) {
                    write(out, ": keep-alive\n\n");
                    continue;
                }
                switch (event) {
                    case ResponseStream.Delta d -> {
                        chars += d.content().length() + d.reasoning().length();
                        for (var piece : d.toolCalls()) {
                            chars += piece.arguments().length();
                        }
                        writeData(out, responses.deltaChunk(request.kind(), stream, d.content(), d.reasoning(),
                                d.toolCalls(), first, logprobs.render(d.logprobs())));
                        first = false;
                    }
                    case ResponseStream.Done d -> {
                        if (first && request.kind() == InferenceRequest.Kind.CHAT) {
                            writeData(out, responses.deltaChunk(request.kind(), stream, "", "", java.util.List.of(),
                                    true, logprobs.render(java.util.List.of())));
                        }
                        writeData(out, responses.finishChunk(request.kind(), stream, d.outcome()));
                        if (request.includeUsage()) {
                            writeData(out, responses.usageChunk(request.kind(), stream, d.outcome()));
                        }
                        door.completed(call, principal, request, stream, d.outcome(), chars);
                        write(out, "data: [DONE]\n\n");
                        return;
                    }
                    case ResponseStream.Failed f -> {
                        // Ends the stream with an OpenAI error object (and no [DONE]): e.g. an upstream that broke
                        // off after text was sent.
                        var error = internal(f.error());
                        writeData(out, responses.error(error));
                        door.finished(call, principal, request, stream, error.kind().status());
                        return;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // The client went away: stop generating for it and record how far it got.
            stream.cancel();
            drainAfterCancel(call, principal, request, stream, chars);
        }
    }

    private void drainAfterCancel(CallContext call, Principal principal, InferenceRequest request,
                                  ResponseStream stream, int chars) throws InterruptedException {
        while (true) {
            var event = stream.poll(Duration.ofSeconds(30));
            if (event == null) {
                door.finished(call, principal, request, stream, 499);
                return;
            }
            if (event instanceof ResponseStream.Done d) {
                door.completed(call, principal, request, stream, d.outcome(), chars);
                return;
            }
            if (event instanceof ResponseStream.Failed f) {
                door.finished(call, principal, request, stream, internal(f.error()).kind().status());
                return;
            }
        }
    }

    private void writeData(OutputStream out, JsonNode node) throws IOException {
        write(out, "data: " + json.writeValueAsString(node) + "\n\n");
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private void models(ServerRequest req, ServerResponse res) {
        simple(req, res, Permission.LIST_MODELS, () -> responses.models(door.inference().models()));
    }

    private void load(ServerRequest req, ServerResponse res) {
        simple(req, res, Permission.MANAGE_MODELS, () -> {
            var body = jsonBody(req);
            var name = req.path().pathParameters().get("name");
            Path path;
            Path source;
            try {
                path = loadablePaths.resolve(requiredText(body, "path"));
                // A version folder holds its GGUF, which could itself be a link: it must stay inside too.
                source = loadablePaths.resolve(ModelPaths.modelIn(path).toString());
            } catch (LoadablePaths.NotLoadableException | ModelLoader.ModelLoadException e) {
                throw ApiException.invalid("path", e.getMessage());
            }
            var version = body.hasNonNull("version") ? body.get("version").asText() : path.getFileName().toString();
            long start = System.nanoTime();
            ai.appliance.runtime.serving.LoadedModel model;
            try {
                // Inside the allowed folders the loader's own reasons (bad header, unknown architecture) may show.
                model = loader.load(source, name, version);
            } catch (ModelLoader.ModelLoadException e) {
                throw ApiException.invalid("path", e.getMessage());
            }
            var took = Duration.ofNanos(System.nanoTime() - start);
            door.inference().catalog().add(model, took, body.path("activate").asBoolean(false));
            return responses.models(door.inference().models());
        });
    }

    private void switchVersion(ServerRequest req, ServerResponse res) {
        simple(req, res, Permission.MANAGE_MODELS, () -> {
            var body = jsonBody(req);
            door.inference().catalog().switchTo(req.path().pathParameters().get("name"), requiredText(body, "version"));
            return responses.models(door.inference().models());
        });
    }

    private void split(ServerRequest req, ServerResponse res) {
        simple(req, res, Permission.MANAGE_MODELS, () -> {
            var body = jsonBody(req);
            var weights = body.get("weights");
            if (weights == null || !weights.isObject()) {
                throw ApiException.invalid("weights", "weights must be an object like {\"v1\": 0.8, \"v2\": 0.2}");
            }
            var map = new LinkedHashMap<String, Double>();
            weights.properties().forEach(e -> {
                if (!e.getValue().isNumber()) {
                    throw ApiException.invalid("weights", "weight of " + e.getKey() + " must be a number");
                }
                map.put(e.getKey(), e.getValue().asDouble());
            });
            door.inference().catalog().split(req.path().pathParameters().get("name"), map);
            return responses.models(door.inference().models());
        });
    }

    private void auditFile(ServerRequest req, ServerResponse res) {
        var call = start(req, res);
        Principal principal = null;
        try {
            principal = door.admit(apiKey(req), certificate(req), Permission.READ_AUDIT);
            if (audit == null) {
                throw new ApiException(ErrorKind.NOT_FOUND, "the audit log is switched off (audit.enabled: false)");
            }
            var date = req.query().first("date").orElse(LocalDate.now(java.time.ZoneOffset.UTC).toString());
            Path file;
            try {
                file = audit.directory().resolve("audit-" + LocalDate.parse(date) + ".jsonl");
            } catch (DateTimeParseException e) {
                throw ApiException.invalid("date", "date must be YYYY-MM-DD, was '" + date + "'");
            }
            if (!Files.exists(file)) {
                throw new ApiException(ErrorKind.NOT_FOUND, "no audit log for " + date);
            }
            res.header(HeaderNames.CONTENT_TYPE, "application/jsonl");
            res.send(Files.readAllBytes(file));
            door.finished(call, principal, null, 200);
        } catch (ApiException e) {
            sendError(res, e);
            door.finished(call, principal, null, e.kind().status());
        } catch (IOException e) {
            sendError(res, internal(e));
            door.finished(call, principal, null, 500);
        }
    }

    private void metrics(ServerRequest req, ServerResponse res) {
        try {
            door.admit(apiKey(req), certificate(req), Permission.READ_METRICS);
            res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
            res.send(door.metrics().scrape());
        } catch (ApiException e) {
            sendError(res, e);
        }
    }

    private void ready(ServerRequest req, ServerResponse res) {
        var problems = readiness.problems();
        healthBody(res, problems.isEmpty(), problems, readiness.details());
    }

    private void healthBody(ServerResponse res, boolean up, java.util.Map<String, String> problems) {
        healthBody(res, up, problems, java.util.Map.of());
    }

    /** @param details states beside the checks that do not decide readiness (each upstream's circuit) */
    private void healthBody(ServerResponse res, boolean up, java.util.Map<String, String> problems,
                            java.util.Map<String, java.util.Map<String, String>> details) {
        var node = json.createObjectNode();
        node.put("status", up ? "UP" : "DOWN");
        var checks = node.putArray("failing");
        problems.keySet().forEach(checks::add);
        if (!problems.isEmpty()) {
            var reasons = node.putObject("reasons");
            problems.forEach(reasons::put);
        }
        details.forEach((name, states) -> {
            var detail = node.putObject(name);
            states.forEach(detail::put);
        });
        res.status(up ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(node.toString());
    }

    @FunctionalInterface
    private interface JsonAction {
        JsonNode run() throws IOException;
    }

    /** A small JSON endpoint: admit, run, answer, record. */
    private void simple(ServerRequest req, ServerResponse res, Permission permission, JsonAction action) {
        var call = start(req, res);
        Principal principal = null;
        try {
            principal = door.admit(apiKey(req), certificate(req), permission);
            var body = action.run();
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            res.send(json.writeValueAsBytes(body));
            door.finished(call, principal, null, 200);
        } catch (ApiException e) {
            sendError(res, e);
            door.finished(call, principal, null, e.kind().status());
        } catch (IOException | RuntimeException e) {
            var error = internal(e);
            sendError(res, error);
            door.finished(call, principal, null, error.kind().status());
        }
    }

    private JsonNode jsonBody(ServerRequest req) {
        try {
            var node = json.readTree(bodies.read(req));
            if (node == null || !node.isObject()) {
                throw ApiException.invalid(null, "the request body must be a JSON object");
            }
            return node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw JsonBodyErrors.notJson("the request body", e);
        } catch (IOException e) {
            throw ApiException.invalid(null, "the request body could not be read");
        }
    }

    private static String requiredText(JsonNode body, String field) {
        var node = body.get(field);
        if (node == null || !node.isTextual() || node.asText().isBlank()) {
            throw ApiException.invalid(field, field + " is required (a string)");
        }
        return node.asText();
    }

    private void sendError(ServerResponse res, ApiException e) {
        res.status(Status.create(e.kind().status()));
        if (e.retryAfterSeconds() > 0) {
            res.header(HeaderNames.RETRY_AFTER, Integer.toString(e.retryAfterSeconds()));
        }
        if (e.kind() == ErrorKind.UNAUTHENTICATED) {
            res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer");
        }
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(responses.error(e).toString());
    }

    static ApiException internal(Throwable e) {
        if (e instanceof ApiException api) {
            return api;
        }
        LOG.log(Level.SEVERE, "request failed", e);
        return new ApiException(ErrorKind.INTERNAL, "internal error; the server log has the details");
    }

    /** The call's context; its request id (the caller's X-Request-Id or a new one) goes back on the response. */
    private static CallContext start(ServerRequest req, ServerResponse res) {
        var call = CallContext.start("rest", req.path().path(), peer(req),
                req.headers().first(HeaderNames.create(RequestIds.HEADER)).orElse(null));
        res.header(HeaderNames.create(RequestIds.HEADER), call.requestId());
        return call;
    }

    static String peer(ServerRequest req) {
        var p = req.remotePeer();
        return p.host() + ":" + p.port();
    }

    /** {@code Authorization: Bearer <key>} (what OpenAI clients send) or {@code x-api-key}. */
    static String apiKey(ServerRequest req) {
        var auth = req.headers().first(HeaderNames.AUTHORIZATION);
        if (auth.isPresent() && auth.get().regionMatches(true, 0, "Bearer ", 0, 7)) {
            return auth.get().substring(7).trim();
        }
        return req.headers().first(HeaderNames.create("x-api-key")).orElse(null);
    }

    static Optional<X509Certificate> certificate(ServerRequest req) {
        return req.remotePeer().tlsCertificates()
                .filter(chain -> chain.length > 0 && chain[0] instanceof X509Certificate)
                .map(chain -> (X509Certificate) chain[0]);
    }
}
