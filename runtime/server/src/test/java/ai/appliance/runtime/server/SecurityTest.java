package ai.appliance.runtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.security.ApiKeyStore;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** API keys, the role matrix, rate limits and the audit log, over REST. */
class SecurityTest {

    private static final Map<String, String> KEYS = Map.of(
            "admin", "sk-test-admin-0123456789", "developer", "sk-test-dev-0123456789",
            "user", "sk-test-user-0123456789", "auditor", "sk-test-audit-0123456789",
            "slow", "sk-test-slow-0123456789");
    private static final String SECRET_PROMPT = "the launch code is swordfish-4711";
    private static Harness harness;

    @BeforeAll
    static void start() {
        var settings = new HashMap<String, String>();
        settings.put("security.enabled", "true");
        int i = 0;
        for (var role : List.of("admin", "developer", "user", "auditor", "slow")) {
            settings.put("security.api-keys." + i + ".name", role + "-key");
            settings.put("security.api-keys." + i + ".role", role.equals("slow") ? "user" : role);
            settings.put("security.api-keys." + i + ".hash", "sha256:" + ApiKeyStore.sha256Hex(KEYS.get(role)));
            if (role.equals("slow")) {
                settings.put("security.api-keys." + i + ".rate-per-second", "0.2");
            }
            i++;
        }
        harness = Harness.start(settings);
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    private static String bearer(String role) {
        return "Bearer " + KEYS.get(role);
    }

    private static int generate(String role) throws Exception {
        return harness.post("/v1/chat/completions",
                "{\"max_tokens\":3,\"messages\":[{\"role\":\"user\",\"content\":\"" + SECRET_PROMPT + "\"}]}",
                "authorization", bearer(role)).statusCode();
    }

    private static int manage(String role) throws Exception {
        return harness.post("/v1/models/tiny-qwen2/split", "{\"weights\":{\"q8_0\":1}}",
                "authorization", bearer(role)).statusCode();
    }

    private static int read(String path, String role) throws Exception {
        return harness.get(path, "authorization", bearer(role)).statusCode();
    }

    @Test
    void everyRoleIsAllowedAndRefusedWhereTheMatrixSays() throws Exception {
        // role: generate, list models, manage models, metrics, audit
        var matrix = Map.of(
                "admin", List.of(200, 200, 200, 200, 200),
                "developer", List.of(200, 200, 200, 403, 403),
                "user", List.of(200, 200, 403, 403, 403),
                "auditor", List.of(403, 403, 403, 200, 200));
        for (var entry : matrix.entrySet()) {
            var role = entry.getKey();
            var want = entry.getValue();
            var got = List.of(generate(role), read("/v1/models", role), manage(role), read("/metrics", role),
                    read("/v1/audit", role));
            assertEquals(want, got, "role " + role + ": generate, models, manage, metrics, audit");
        }
    }

    @Test
    void missingOrWrongKeysAreUnauthenticated() throws Exception {
        var none = harness.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        RestApiTest.assertError(none, 401, "authentication_error");
        assertEquals("Bearer", none.headers().firstValue("www-authenticate").orElse(""));
        var wrong = harness.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
                "authorization", "Bearer sk-not-a-key");
        RestApiTest.assertError(wrong, 401, "authentication_error");
        RestApiTest.assertError(harness.post("/v1/chat/completions", "{}", "authorization", bearer("auditor")), 403,
                "permission_error");
        // Health stays open for load balancers and probes.
        assertEquals(200, harness.get("/health/live").statusCode());
    }

    @Test
    void webSocketAndGrpcApplyTheSameKeysAndRoles() throws Exception {
        var refused = new java.util.concurrent.CompletableFuture<String>();
        harness.http.newWebSocketBuilder().buildAsync(
                java.net.URI.create("ws://127.0.0.1:" + harness.appliance.server().port() + "/v1/ws"),
                new java.net.http.WebSocket.Listener() {
                    @Override
                    public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence data,
                                                                          boolean last) {
                        refused.complete(data.toString());
                        return null;
                    }
                }).get(10, java.util.concurrent.TimeUnit.SECONDS);
        var error = Harness.json(refused.get(10, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(401, error.get("status").asInt());

        var channel = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1",
                harness.appliance.server().grpcPort()).usePlaintext().build();
        try {
            var request = ai.appliance.runtime.grpc.v1.GenerateRequest.newBuilder().setPrompt("x").setMaxTokens(2).build();
            var anonymous = ai.appliance.runtime.grpc.v1.DeepSeekServiceGrpc.newBlockingStub(channel);
            assertEquals(io.grpc.Status.Code.UNAUTHENTICATED, assertThrows(io.grpc.StatusRuntimeException.class,
                    () -> anonymous.generate(request)).getStatus().getCode());
            for (var role : List.of("auditor", "user")) {
                var headers = new io.grpc.Metadata();
                headers.put(io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER), bearer(role));
                var stub = ai.appliance.runtime.grpc.v1.DeepSeekServiceGrpc.newBlockingStub(channel)
                        .withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(headers));
                if (role.equals("auditor")) {
                    assertEquals(io.grpc.Status.Code.PERMISSION_DENIED, assertThrows(io.grpc.StatusRuntimeException.class,
                            () -> stub.generate(request)).getStatus().getCode());
                } else {
                    assertTrue(stub.generate(request).getUsage().getPromptTokens() > 0);
                }
            }
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void rateLimitReturns429WithRetryAfter() throws Exception {
        assertEquals(200, generate("slow"));
        var second = harness.post("/v1/chat/completions",
                "{\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"again\"}]}", "authorization", bearer("slow"));
        RestApiTest.assertError(second, 429, "rate_limit_error");
        assertTrue(Integer.parseInt(second.headers().firstValue("retry-after").orElseThrow()) >= 1);
    }

    @Test
    void auditLinesCarryTheFieldsAndNeverThePrompt() throws Exception {
        assertEquals(200, generate("user"));
        var file = harness.appliance.server().frontDoor() == null ? null
                : harness.dir.resolve("store/audit");
        var today = Files.list(file).filter(p -> p.getFileName().toString().startsWith("audit-")).findFirst().orElseThrow();
        var text = Files.readString(today);
        assertFalse(text.contains("swordfish"), "the audit log must not hold prompt text");
        var expectedHash = ai.appliance.runtime.audit.PromptDigest.loadOrCreate(harness.dir.resolve("store/audit.key"))
                .of("user\n" + SECRET_PROMPT + "\n");
        assertFalse(text.contains(ApiKeyStore.sha256Hex("user\n" + SECRET_PROMPT + "\n")),
                "a plain SHA-256 of the prompt would let anyone confirm a guess");
        var found = false;
        for (var line : text.split("\n")) {
            var event = Harness.json(line);
            for (var field : List.of("timestampMillis", "client", "principal", "role", "frontEnd", "endpoint", "status",
                    "latencyMillis", "promptTokens", "completionTokens", "responseChars")) {
                assertTrue(event.has(field), "audit line lacks " + field + ": " + line);
            }
            assertTrue(event.get("client").asText().matches("[0-9a-f.:\\[\\]]+:\\d+"), "client is ip:port: " + line);
            if ("user-key".equals(event.get("principal").asText()) && event.get("status").asInt() == 200
                    && expectedHash.equals(event.path("promptHmac").asText())) {
                found = true;
                assertEquals("user", event.get("role").asText());
                assertEquals("rest", event.get("frontEnd").asText());
                assertEquals("/v1/chat/completions", event.get("endpoint").asText());
                assertTrue(event.get("promptTokens").asInt() > 0);
                assertTrue(event.get("completionTokens").asInt() > 0);
            }
        }
        assertTrue(found, "no audit line for the user's request with the prompt's HMAC");
        var download = harness.get("/v1/audit", "authorization", bearer("auditor"));
        assertEquals(200, download.statusCode());
        assertTrue(download.body().contains("\"principal\":\"user-key\""));
        assertThrows(Exception.class, () -> Harness.json("{").get("x"));
    }
}
