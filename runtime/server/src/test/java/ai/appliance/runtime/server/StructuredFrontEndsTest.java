package ai.appliance.runtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.grpc.v1.ChatMessage;
import ai.appliance.runtime.grpc.v1.DeepSeekServiceGrpc;
import ai.appliance.runtime.grpc.v1.FunctionCall;
import ai.appliance.runtime.grpc.v1.FunctionTool;
import ai.appliance.runtime.grpc.v1.GenerateChunk;
import ai.appliance.runtime.grpc.v1.GenerateRequest;
import ai.appliance.runtime.grpc.v1.OutputFormat;
import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Structured output and tool calls over WebSocket and gRPC: the same serving path as REST, each front end's shapes. */
class StructuredFrontEndsTest {
    private static final SchemaRegistry VALIDATORS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    private static Harness harness;
    private static ManagedChannel channel;

    @BeforeAll
    static void start() {
        harness = Harness.start(Map.of());
        channel = NettyChannelBuilder.forAddress("127.0.0.1", harness.appliance.server().grpcPort()).usePlaintext().build();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        harness.close();
    }

    private static void assertValid(String schema, String json) {
        var errors = VALIDATORS.getSchema(schema, InputFormat.JSON).validate(json, InputFormat.JSON);
        assertTrue(errors.isEmpty(), json + " breaks the schema: " + errors);
    }


    private static WebSocketMessages overWebSocket(String message) throws Exception {
        var collector = new WebSocketMessages();
        var ws = harness.http.newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + harness.appliance.server().port() + "/v1/ws"), collector)
                .get(10, TimeUnit.SECONDS);
        ws.sendText(message, true);
        collector.finished.get(60, TimeUnit.SECONDS);
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        return collector;
    }

    @Test
    void webSocketAnswersFollowTheSchemaAndToolCallsStreamAsDeltas() throws Exception {
        var json = overWebSocket("{\"type\":\"chat\",\"id\":\"s1\",\"max_tokens\":400,\"temperature\":1,\"seed\":5,"
                + "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"o\",\"schema\":"
                + StructuredOutputApiTest.ORDER + "}},\"messages\":[{\"role\":\"user\",\"content\":\"Order\"}]}");
        var done = json.finished.get();
        assertEquals("done", done.get("type").asText(), done.toString());
        assertEquals("stop", done.get("finish_reason").asText());
        assertValid(StructuredOutputApiTest.ORDER, done.at("/message/content").asText());

        var calls = overWebSocket("{\"type\":\"chat\",\"id\":\"t1\",\"max_tokens\":400,\"temperature\":1,\"seed\":2,"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":"
                + StructuredOutputApiTest.WEATHER + "}}],\"tool_choice\":\"required\",\"parallel_tool_calls\":false,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Weather?\"}]}");
        var end = calls.finished.get();
        assertEquals("tool_calls", end.get("finish_reason").asText(), end.toString());
        var call = end.at("/message/tool_calls/0");
        assertEquals("get_weather", call.at("/function/name").asText());
        assertTrue(call.get("id").asText().startsWith("call_"));
        var arguments = new StringBuilder();
        for (var m : calls.messages) {
            for (var piece : m.at("/delta/tool_calls")) {
                if (piece.has("id")) assertEquals(call.get("id").asText(), piece.get("id").asText());
                arguments.append(piece.at("/function/arguments").asText());
            }
        }
        var whole = new StringBuilder();
        end.at("/message/tool_calls").forEach(c -> whole.append(c.at("/function/arguments").asText()));
        assertEquals(whole.toString(), arguments.toString(), "the chunks' pieces make the final message's calls");
        assertValid(StructuredOutputApiTest.WEATHER, call.at("/function/arguments").asText());
    }

    private static GenerateRequest.Builder request() {
        return GenerateRequest.newBuilder().setModel(Harness.MODEL).setMaxTokens(400).setTemperature(1).setSeed(3)
                .addMessages(ChatMessage.newBuilder().setRole("user").setContent("Weather in Paris?"));
    }

    @Test
    void grpcTakesAResponseFormatAndToolsAndReturnsCalls() {
        var stub = DeepSeekServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
        var json = stub.generate(request().setResponseFormat(OutputFormat.newBuilder().setType("json_schema")
                .setName("order").setJsonSchema(StructuredOutputApiTest.ORDER)).build());
        assertEquals("stop", json.getFinishReason());
        assertValid(StructuredOutputApiTest.ORDER, json.getContent());

        var tools = request().addTools(FunctionTool.newBuilder().setName("get_weather").setDescription("Weather now")
                .setParameters(StructuredOutputApiTest.WEATHER)).setToolChoice("get_weather").build();
        var called = stub.generate(tools);
        assertEquals("tool_calls", called.getFinishReason());
        assertEquals(1, called.getToolCallsCount());
        assertEquals("get_weather", called.getToolCalls(0).getName());
        assertTrue(called.getToolCalls(0).getId().startsWith("call_"));
        assertValid(StructuredOutputApiTest.WEATHER, called.getToolCalls(0).getArguments());

        var chunks = new ArrayList<GenerateChunk>();
        DeepSeekServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS).generateStream(tools)
                .forEachRemaining(chunks::add);
        var arguments = new StringBuilder();
        var names = new ArrayList<String>();
        for (var chunk : chunks) {
            for (var piece : chunk.getToolCallsList()) {
                if (!piece.getId().isEmpty()) names.add(piece.getName());
                arguments.append(piece.getArguments());
            }
        }
        assertEquals(List.of("get_weather"), names);
        assertEquals("tool_calls", chunks.getLast().getFinishReason());
        assertEquals(called.getToolCalls(0).getArguments(), arguments.toString(), "same seed, same call");

        // The call and its result sent back: rendered through the template into a longer prompt.
        var followUp = request().setMaxTokens(2).addTools(tools.getTools(0))
                .addMessages(ChatMessage.newBuilder().setRole("assistant").addToolCalls(FunctionCall.newBuilder()
                        .setId("call_9").setName("get_weather").setArguments(called.getToolCalls(0).getArguments())))
                .addMessages(ChatMessage.newBuilder().setRole("tool").setToolCallId("call_9").setContent("18 degrees"))
                .build();
        var answer = stub.generate(followUp);
        assertTrue(answer.getUsage().getPromptTokens() > stub.generate(request().setMaxTokens(2).build())
                .getUsage().getPromptTokens());
    }

    @Test
    void grpcRefusesSchemasItCannotEnforceAndBadJsonText() {
        var stub = DeepSeekServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
        var pattern = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class, () -> stub.generate(
                request().setResponseFormat(OutputFormat.newBuilder().setType("json_schema")
                        .setJsonSchema("{\"type\":\"string\",\"pattern\":\"a\"}")).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, pattern.getStatus().getCode());
        assertTrue(pattern.getStatus().getDescription().contains("'pattern'"), pattern.getStatus().getDescription());
        var broken = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class, () -> stub.generate(
                request().setResponseFormat(OutputFormat.newBuilder().setType("json_schema").setJsonSchema("{\"type\":")).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, broken.getStatus().getCode());
        assertTrue(broken.getStatus().getDescription().contains("response_format.json_schema"), broken.getStatus().getDescription());
    }
}
