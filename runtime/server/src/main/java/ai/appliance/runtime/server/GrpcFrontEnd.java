package ai.appliance.runtime.server;

import ai.appliance.runtime.api.ApiException;
import ai.appliance.runtime.api.ErrorKind;
import ai.appliance.runtime.config.ApplianceConfig;
import ai.appliance.runtime.grpc.v1.DeepSeekServiceGrpc;
import ai.appliance.runtime.grpc.v1.FunctionCall;
import ai.appliance.runtime.grpc.v1.FunctionCallDelta;
import ai.appliance.runtime.grpc.v1.GenerateChunk;
import ai.appliance.runtime.grpc.v1.GenerateRequest;
import ai.appliance.runtime.grpc.v1.GenerateResponse;
import ai.appliance.runtime.grpc.v1.Usage;
import ai.appliance.runtime.openai.JsonBodyErrors;
import ai.appliance.runtime.openai.OpenAiResponseFormat;
import ai.appliance.runtime.openai.OpenAiTools;
import ai.appliance.runtime.scheduler.Outcome;
import ai.appliance.runtime.security.Permission;
import ai.appliance.runtime.security.Principal;
import ai.appliance.runtime.security.TlsSetup;
import ai.appliance.runtime.serving.CallContext;
import ai.appliance.runtime.serving.RequestIds;
import ai.appliance.runtime.serving.FrontDoor;
import ai.appliance.runtime.serving.InferenceRequest;
import ai.appliance.runtime.serving.ResponseStream;
import ai.appliance.runtime.serving.RoutingHints;
import ai.appliance.runtime.serving.SamplingParams;
import ai.appliance.runtime.serving.ChatMessage;
import ai.appliance.runtime.serving.ResponseFormat;
import ai.appliance.runtime.serving.ToolUse;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ApplicationProtocolConfig;
import io.grpc.netty.shaded.io.netty.handler.ssl.ApplicationProtocolNames;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.grpc.netty.shaded.io.netty.handler.ssl.JdkSslContext;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSession;

/**
 * gRPC front end ({@code appliance.v1.DeepSeekService}, see src/main/protobuf/deepseek.proto) on its own port,
 * with the same TLS, keys, roles, rate limits, audit and scheduler as REST. Calls run on virtual threads.
 */
public final class GrpcFrontEnd implements AutoCloseable {

    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> API_KEY = Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<String> CALLER_KEY = Context.key("api-key");
    private static final Context.Key<String> CALLER_ADDRESS = Context.key("peer");
    private static final Context.Key<X509Certificate> CALLER_CERT = Context.key("peer-cert");
    private static final Metadata.Key<String> REQUEST_ID_HEADER =
            Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<String> REQUEST_ID = Context.key("request-id");

    private final Server server;
    private final ExecutorService executor;

    private GrpcFrontEnd(Server server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    public static GrpcFrontEnd start(ApplianceConfig config, FrontDoor door) {
        var executor = Executors.newVirtualThreadPerTaskExecutor();
        var builder = NettyServerBuilder.forAddress(new InetSocketAddress(config.grpc().host(), config.grpc().port()))
                .executor(executor)
                .maxInboundMessageSize((int) Math.min(Integer.MAX_VALUE, config.http().maxPayloadBytes()))
                .addService(ServerInterceptors.intercept(new Service(door), new CallerInterceptor()));
        var tls = config.http().tls();
        if (tls != null) {
            var clientAuth = switch (TlsSetup.clientAuth(tls)) {
                case NONE -> ClientAuth.NONE;
                case OPTIONAL -> ClientAuth.OPTIONAL;
                case REQUIRED -> ClientAuth.REQUIRE;
            };
            builder.sslContext(new JdkSslContext(TlsSetup.serverContext(tls), false, null,
                    IdentityCipherSuiteFilter.INSTANCE,
                    new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            ApplicationProtocolNames.HTTP_2),
                    clientAuth, TlsSetup.PROTOCOLS.toArray(String[]::new), false));
        }
        try {
            return new GrpcFrontEnd(builder.build().start(), executor);
        } catch (IOException e) {
            executor.shutdownNow();
            throw new UncheckedIOException("cannot start gRPC on " + config.grpc().host() + ":" + config.grpc().port()
                    + ": " + e.getMessage() + " (set grpc.port or grpc.enabled: false)", e);
        }
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.shutdownNow();
        }
        executor.shutdownNow();
    }

    /** Puts the caller's credentials, address and request id into the call context; answers with the id. */
    private static final class CallerInterceptor implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                          ServerCallHandler<Q, R> next) {
            String key = null;
            var auth = headers.get(AUTHORIZATION);
            if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
                key = auth.substring(7).trim();
            } else if (headers.get(API_KEY) != null) {
                key = headers.get(API_KEY);
            }
            var address = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
            var peer = address instanceof InetSocketAddress inet
                    ? inet.getAddress().getHostAddress() + ":" + inet.getPort() : String.valueOf(address);
            X509Certificate cert = null;
            SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
            if (session != null) {
                try {
                    var chain = session.getPeerCertificates();
                    if (chain.length > 0 && chain[0] instanceof X509Certificate x) {
                        cert = x;
                    }
                } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
                    cert = null;
                }
            }
            var requestId = RequestIds.acceptOrGenerate(headers.get(REQUEST_ID_HEADER));
            var ctx = Context.current().withValue(CALLER_ADDRESS, peer).withValue(CALLER_KEY, key)
                    .withValue(REQUEST_ID, requestId);
            if (cert != null) {
                ctx = ctx.withValue(CALLER_CERT, cert);
            }
            var withId = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                private boolean headersSent;

                @Override
                public void sendHeaders(Metadata responseHeaders) {
                    headersSent = true;
                    responseHeaders.put(REQUEST_ID_HEADER, requestId);
                    super.sendHeaders(responseHeaders);
                }

                @Override
                public void close(io.grpc.Status status, Metadata trailers) {
                    // A call refused before any reply sends no headers: the id then travels in the trailers.
                    if (!headersSent) {
                        trailers.put(REQUEST_ID_HEADER, requestId);
                    }
                    super.close(status, trailers);
                }
            };
            return Contexts.interceptCall(ctx, withId, headers, next);
        }
    }

    private static final class Service extends DeepSeekServiceGrpc.DeepSeekServiceImplBase {
        private static final ObjectMapper JSON = new ObjectMapper();

        private final FrontDoor door;

        Service(FrontDoor door) {
            this.door = door;
        }

        @Override
        public void generate(GenerateRequest request, StreamObserver<GenerateResponse> observer) {
            var call = CallContext.start("grpc", "DeepSeekService/Generate", CALLER_ADDRESS.get(), REQUEST_ID.get());
            Principal principal = null;
            InferenceRequest inference = null;
            ResponseStream stream = null;
            try {
                principal = admit();
                inference = toInference(request, false);
                stream = door.submit(call, principal, inference);
                var done = stream.collect();
                var response = GenerateResponse.newBuilder().setId(stream.id()).setModel(stream.model())
                        .setContent(done.content()).setReasoningContent(done.reasoning())
                        .setFinishReason(done.outcome().reason().openAiName())
                        .setUsage(usage(done.outcome()));
                for (var c : done.toolCalls()) {
                    response.addToolCalls(FunctionCall.newBuilder().setId(c.id()).setName(c.name())
                            .setArguments(c.arguments()));
                }
                // Audit before the call ends: a client that saw its answer can rely on the audit line existing.
                door.completed(call, principal, inference, stream, done.outcome(), done.chars());
                observer.onNext(response.build());
                observer.onCompleted();
            } catch (ApiException e) {
                door.finished(call, principal, inference, stream, e.kind().status());
                observer.onError(status(e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                observer.onError(Status.CANCELLED.asRuntimeException());
            } catch (RuntimeException e) {
                var error = HttpApi.internal(e);
                door.finished(call, principal, inference, stream, error.kind().status());
                observer.onError(status(error));
            }
        }

        @Override
        public void generateStream(GenerateRequest request, StreamObserver<GenerateChunk> observer) {
            var call = CallContext.start("grpc", "DeepSeekService/GenerateStream", CALLER_ADDRESS.get(),
                    REQUEST_ID.get());
            var serverObserver = (ServerCallStreamObserver<GenerateChunk>) observer;
            Principal principal = null;
            InferenceRequest inference = null;
            ResponseStream stream = null;
            try {
                principal = admit();
                inference = toInference(request, true);
                stream = door.submit(call, principal, inference);
                var started = stream;
                serverObserver.setOnCancelHandler(started::cancel);
                int index = 0;
                int chars = 0;
                while (true) {
                    var event = stream.poll(Duration.ofSeconds(1));
                    if (event == null) {
                        continue;
                    }
                    switch (event) {
                        case ResponseStream.Delta d -> {
                            chars += d.content().length() + d.reasoning().length();
                            var chunk = GenerateChunk.newBuilder().setId(stream.id()).setIndex(index++)
                                    .setContent(d.content()).setReasoningContent(d.reasoning());
                            for (var piece : d.toolCalls()) {
                                chars += piece.arguments().length();
                                var delta = FunctionCallDelta.newBuilder().setIndex(piece.index())
                                        .setArguments(piece.arguments());
                                if (piece.id() != null) {
                                    delta.setId(piece.id()).setName(piece.name());
                                }
                                chunk.addToolCalls(delta);
                            }
                            if (!serverObserver.isCancelled()) {
                                observer.onNext(chunk.build());
                            }
                        }
                        case ResponseStream.Done d -> {
                            door.completed(call, principal, inference, stream, d.outcome(), chars);
                            if (!serverObserver.isCancelled()) {
                                observer.onNext(GenerateChunk.newBuilder().setId(stream.id()).setIndex(index)
                                        .setFinishReason(d.outcome().reason().openAiName())
                                        .setUsage(usage(d.outcome())).build());
                                observer.onCompleted();
                            }
                            return;
                        }
                        case ResponseStream.Failed f -> throw f.error();
                    }
                }
            } catch (ApiException e) {
                door.finished(call, principal, inference, stream, e.kind().status());
                observer.onError(status(e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                var error = HttpApi.internal(e);
                door.finished(call, principal, inference, stream, error.kind().status());
                if (!serverObserver.isCancelled()) {
                    observer.onError(status(error));
                }
            }
        }

        private Principal admit() {
            return door.admit(CALLER_KEY.get(), Optional.ofNullable(CALLER_CERT.get()), Permission.GENERATE);
        }

        private InferenceRequest toInference(GenerateRequest r, boolean stream) {
            var chat = r.getMessagesCount() > 0;
            if (chat == !r.getPrompt().isEmpty()) {
                throw ApiException.invalid("messages", "set either messages (chat) or prompt (completion)");
            }
            var messages = new ArrayList<ChatMessage>();
            for (var m : r.getMessagesList()) {
                var calls = new ArrayList<ai.appliance.runtime.chat.ToolCall>();
                for (var c : m.getToolCallsList()) {
                    calls.add(new ai.appliance.runtime.chat.ToolCall(c.getId().isEmpty() ? null : c.getId(), c.getName(),
                            c.getArguments()));
                }
                // proto3 strings cannot be null: a call-only assistant turn has no content, as templates expect
                var content = m.getContent().isEmpty() && !calls.isEmpty() ? null : m.getContent();
                messages.add(new ChatMessage(m.getRole(), content, calls,
                        m.getToolCallId().isEmpty() ? null : m.getToolCallId()));
            }
            var defaults = SamplingParams.DEFAULT;
            var sampling = new SamplingParams(r.hasTemperature() ? r.getTemperature() : defaults.temperature(),
                    r.hasTopP() ? r.getTopP() : defaults.topP(), r.hasTopK() ? r.getTopK() : 0,
                    r.hasSeed() ? r.getSeed() : null);
            if (sampling.temperature() < 0 || sampling.temperature() > 2) {
                throw ApiException.invalid("temperature", "temperature must be between 0 and 2");
            }
            if (sampling.topP() <= 0 || sampling.topP() > 1) {
                throw ApiException.invalid("top_p", "top_p must be in (0, 1]");
            }
            int maxTokens = r.getMaxTokens() == 0 ? 512 : r.getMaxTokens();
            return new InferenceRequest(chat ? InferenceRequest.Kind.CHAT : InferenceRequest.Kind.COMPLETION,
                    r.getModel().isEmpty() ? null : r.getModel(), messages, chat ? null : r.getPrompt(), sampling,
                    maxTokens, r.getStopList(), stream, stream, null,
                    new RoutingHints(r.getLocalOnly(), !r.hasAllowFallback() || r.getAllowFallback()), responseFormat(r),
                    chat ? tools(r) : ToolUse.NONE);
        }

        /** The request's output format, read by the same rules as REST's response_format. */
        private static ResponseFormat responseFormat(GenerateRequest r) {
            if (!r.hasResponseFormat()) {
                return ResponseFormat.TEXT;
            }
            var format = r.getResponseFormat();
            var node = JSON.createObjectNode().put("type", format.getType().isEmpty() ? "text" : format.getType());
            if (!format.getJsonSchema().isEmpty() || format.getType().equals("json_schema")) {
                var spec = node.putObject("json_schema");
                if (!format.getName().isEmpty()) {
                    spec.put("name", format.getName());
                }
                spec.set("schema", jsonText(format.getJsonSchema(), "response_format.json_schema"));
            }
            return OpenAiResponseFormat.parse(node);
        }

        /** The request's tools, read by the same rules as REST's tools, tool_choice and parallel_tool_calls. */
        private static ToolUse tools(GenerateRequest r) {
            var tools = JSON.createArrayNode();
            for (int i = 0; i < r.getToolsCount(); i++) {
                var t = r.getTools(i);
                var function = tools.addObject().put("type", "function").putObject("function");
                function.put("name", t.getName()).put("description", t.getDescription());
                if (!t.getParameters().isEmpty()) {
                    function.set("parameters", jsonText(t.getParameters(), "tools[" + i + "].parameters"));
                }
            }
            JsonNode choice = switch (r.getToolChoice()) {
                case "" -> null;
                case "auto", "none", "required" -> JSON.getNodeFactory().textNode(r.getToolChoice());
                default -> {
                    var node = JSON.createObjectNode().put("type", "function");
                    node.putObject("function").put("name", r.getToolChoice());
                    yield node;
                }
            };
            JsonNode parallel = r.hasParallelToolCalls()
                    ? JSON.getNodeFactory().booleanNode(r.getParallelToolCalls()) : null;
            return OpenAiTools.parse(tools, choice, parallel);
        }

        private static JsonNode jsonText(String text, String field) {
            if (text.isEmpty()) {
                throw ApiException.invalid(field, field + " is empty; it must hold a JSON Schema as JSON text");
            }
            try {
                return JSON.readTree(text);
            } catch (JsonProcessingException e) {
                throw JsonBodyErrors.notJson(field, e);
            }
        }

        private static Usage usage(Outcome o) {
            return Usage.newBuilder().setPromptTokens(o.promptTokens()).setCompletionTokens(o.completionTokens())
                    .setTotalTokens(o.promptTokens() + o.completionTokens()).build();
        }

        private static StatusRuntimeException status(ApiException e) {
            var status = switch (e.kind()) {
                case INVALID_REQUEST, CONTEXT_LENGTH_EXCEEDED, PAYLOAD_TOO_LARGE -> Status.INVALID_ARGUMENT;
                case UNAUTHENTICATED -> Status.UNAUTHENTICATED;
                case FORBIDDEN -> Status.PERMISSION_DENIED;
                case NOT_FOUND, MODEL_NOT_FOUND -> Status.NOT_FOUND;
                case RATE_LIMITED, QUEUE_FULL -> Status.RESOURCE_EXHAUSTED;
                case UNAVAILABLE, UPSTREAM_ERROR -> Status.UNAVAILABLE;
                case TIMEOUT, REQUEST_TIMEOUT -> Status.DEADLINE_EXCEEDED;
                case INTERNAL -> Status.INTERNAL;
            };
            return status.withDescription(e.getMessage()).asRuntimeException();
        }
    }

    static ApiException unsupported(String what) {
        return new ApiException(ErrorKind.INVALID_REQUEST, what);
    }
}
