package ai.appliance.runtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.grpc.v1.DeepSeekServiceGrpc;
import ai.appliance.runtime.grpc.v1.GenerateRequest;
import ai.appliance.runtime.logs.EcsLineFormatter;
import ai.appliance.runtime.logs.LogFormat;
import ai.appliance.runtime.logs.LogOutput;
import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One request id per call, the caller's when it sends a usable one: returned in the response, written in the JSON
 * access line (ECS {@code http.request.id}) and in the audit record, on REST and gRPC.
 */
class RequestIdTest {

    private static final String CHAT = "{\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"id?\"}]}";
    private static Harness harness;
    private static final List<String> ACCESS_LINES = new CopyOnWriteArrayList<>();
    private static final Handler CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord record) {
            ACCESS_LINES.add(getFormatter().format(record));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeAll
    static void start() {
        harness = Harness.start(Map.of("logging.format", "json"));
        CAPTURE.setFormatter(Logger.getLogger("").getHandlers()[0].getFormatter());
        Logger.getLogger("ai.appliance.access").addHandler(CAPTURE);
    }

    @AfterAll
    static void stop() {
        Logger.getLogger("ai.appliance.access").removeHandler(CAPTURE);
        harness.close();
        LogOutput.use(LogFormat.TEXT);
    }

    @Test
    void jsonFormatPutsTheEcsFormatterOnTheProcessLogHandlers() {
        assertInstanceOf(EcsLineFormatter.class, Logger.getLogger("").getHandlers()[0].getFormatter());
    }

    @Test
    void aCallersRestRequestIdComesBackAndNamesTheAccessLineAndTheAuditRecord() throws Exception {
        var res = harness.post("/v1/chat/completions", CHAT, "X-Request-Id", "trace-4711");
        assertEquals(200, res.statusCode(), res.body());
        assertEquals("trace-4711", res.headers().firstValue("X-Request-Id").orElseThrow());

        var line = accessLine("trace-4711");
        assertEquals("INFO", line.get("log.level").asText());
        assertEquals("ai.appliance.access", line.get("log.logger").asText());
        assertTrue(line.hasNonNull("@timestamp"), line.toString());
        assertTrue(line.get("message").asText().contains("/v1/chat/completions 200"), line.toString());
        assertEquals("rest", line.get("labels.front_end").asText());
        assertEquals("200", line.get("http.response.status_code").asText());
        assertEquals("rest", auditRecord("trace-4711").get("frontEnd").asText());
    }

    @Test
    void withoutAUsableIdTheServerMakesOneAndUsesItEverywhere() throws Exception {
        var res = harness.post("/v1/chat/completions", CHAT, "X-Request-Id", "two words");
        var id = res.headers().firstValue("X-Request-Id").orElseThrow();
        assertNotEquals("two words", id, "an id with a space could forge log fields, so it is replaced");
        assertTrue(id.matches("[0-9a-f]{32}"), id);
        assertEquals(id, accessLine(id).get("http.request.id").asText());
        assertEquals(200, auditRecord(id).get("status").asInt());
    }

    @Test
    void aGrpcCallersRequestIdComesBackInTheResponseHeaders() throws Exception {
        var channel = NettyChannelBuilder.forAddress("127.0.0.1", harness.appliance.server().grpcPort())
                .usePlaintext().build();
        try {
            var sent = new Metadata();
            var key = Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);
            sent.put(key, "grpc-trace-9");
            var headers = new AtomicReference<Metadata>();
            var trailers = new AtomicReference<Metadata>();
            DeepSeekServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(sent),
                            MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
                    .generate(GenerateRequest.newBuilder().setMaxTokens(2).setPrompt("id?").build());
            assertEquals("grpc-trace-9", headers.get().get(key));
        } finally {
            channel.shutdownNow();
        }
        assertEquals("grpc", accessLine("grpc-trace-9").get("labels.front_end").asText());
        assertEquals("grpc", auditRecord("grpc-trace-9").get("frontEnd").asText());
    }

    @Test
    void aRefusedGrpcCallCarriesItsRequestIdInTheTrailers() throws Exception {
        var channel = NettyChannelBuilder.forAddress("127.0.0.1", harness.appliance.server().grpcPort())
                .usePlaintext().build();
        var key = Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);
        var headers = new AtomicReference<Metadata>();
        var trailers = new AtomicReference<Metadata>();
        try {
            var sent = new Metadata();
            sent.put(key, "grpc-refused-3");
            var stub = DeepSeekServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(sent),
                            MetadataUtils.newCaptureMetadataInterceptor(headers, trailers));
            var error = org.junit.jupiter.api.Assertions.assertThrows(io.grpc.StatusRuntimeException.class,
                    () -> stub.generate(GenerateRequest.newBuilder().setMaxTokens(2).build()));
            assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, error.getStatus().getCode());
        } finally {
            channel.shutdownNow();
        }
        assertEquals("grpc-refused-3", trailers.get().get(key));
        assertEquals(400, auditRecord("grpc-refused-3").get("status").asInt());
    }

    private static JsonNode accessLine(String requestId) throws Exception {
        var found = new ArrayList<JsonNode>();
        for (var line : ACCESS_LINES) {
            assertEquals(1, line.strip().lines().count(), "one object per line: " + line);
            var node = Harness.json(line);
            if (requestId.equals(node.path("http.request.id").asText())) {
                found.add(node);
            }
        }
        assertEquals(1, found.size(), "one access line for " + requestId + " in " + ACCESS_LINES);
        return found.getFirst();
    }

    private static JsonNode auditRecord(String requestId) throws Exception {
        var file = harness.dir.resolve("store/audit").toFile().listFiles()[0].toPath();
        var matches = new ArrayList<JsonNode>();
        for (var line : Files.readAllLines(file)) {
            var node = Harness.json(line);
            if (requestId.equals(node.path("requestId").asText())) {
                matches.add(node);
            }
        }
        assertEquals(1, matches.size(), "one audit record for " + requestId);
        return matches.getFirst();
    }
}
