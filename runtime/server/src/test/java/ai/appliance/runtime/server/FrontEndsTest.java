package ai.appliance.runtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.grpc.v1.ChatMessage;
import ai.appliance.runtime.grpc.v1.DeepSeekServiceGrpc;
import ai.appliance.runtime.grpc.v1.GenerateRequest;
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

/** WebSocket and gRPC round trips against the same scheduler and real engine as REST. */
class FrontEndsTest {

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


    @Test
    void webSocketStreamsChunksThenAFinalMessage() throws Exception {
        var collector = new WebSocketMessages();
        var ws = harness.http.newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + harness.appliance.server().port() + "/v1/ws"), collector)
                .get(10, TimeUnit.SECONDS);
        ws.sendText("{\"type\":\"chat\",\"id\":\"q1\",\"temperature\":0,\"max_tokens\":10,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi over a socket\"}]}", true);
        var done = collector.finished.get(30, TimeUnit.SECONDS);
        assertEquals("done", done.get("type").asText(), done.toString());
        assertEquals("q1", done.get("id").asText());
        var text = new StringBuilder();
        int index = 0;
        for (var m : collector.messages) {
            if (m.get("type").asText().equals("chunk")) {
                assertEquals("q1", m.get("id").asText());
                assertEquals(index++, m.get("index").asInt());
                text.append(m.at("/delta/reasoning_content").asText("")).append(m.at("/delta/content").asText(""));
            }
        }
        assertTrue(index > 0, "chunks arrived");
        assertEquals(done.at("/message/reasoning_content").asText("") + done.at("/message/content").asText(), text.toString());
        assertTrue(done.at("/usage/completion_tokens").asInt() > 0);

        var pong = new WebSocketMessages();
        var ws2 = harness.http.newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + harness.appliance.server().port() + "/v1/ws"), pong)
                .get(10, TimeUnit.SECONDS);
        ws2.sendText("{\"type\":\"chat\",\"id\":\"bad\",\"messages\":[]}", true);
        var error = pong.finished.get(10, TimeUnit.SECONDS);
        assertEquals("error", error.get("type").asText());
        assertEquals(400, error.get("status").asInt());
        assertEquals("invalid_request_error", error.at("/error/type").asText());
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        ws2.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
    }

    @Test
    void webSocketChunksAndTheFinalMessageCarryLogprobsWhenAsked() throws Exception {
        var collector = new WebSocketMessages();
        var ws = harness.http.newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + harness.appliance.server().port() + "/v1/ws"), collector)
                .get(10, TimeUnit.SECONDS);
        ws.sendText("{\"type\":\"completion\",\"id\":\"lp\",\"temperature\":0,\"max_tokens\":6,\"logprobs\":2,"
                + "\"prompt\":\"Once upon a time\"}", true);
        var done = collector.finished.get(30, TimeUnit.SECONDS);
        assertEquals("done", done.get("type").asText(), done.toString());
        var tokens = new java.util.ArrayList<String>();
        for (var m : collector.messages) {
            if (m.get("type").asText().equals("chunk") && m.get("logprobs").isObject()) {
                m.at("/logprobs/tokens").forEach(t -> tokens.add(t.asText()));
            }
        }
        var whole = new java.util.ArrayList<String>();
        done.at("/logprobs/tokens").forEach(t -> whole.add(t.asText()));
        assertEquals(done.at("/usage/completion_tokens").asInt(), whole.size(), done.toString());
        assertEquals(whole, tokens, "the chunks' tokens are the final message's");
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
    }

    private static GenerateRequest request(String text, int maxTokens) {
        return GenerateRequest.newBuilder().setModel(Harness.MODEL).setMaxTokens(maxTokens).setTemperature(0)
                .addMessages(ChatMessage.newBuilder().setRole("user").setContent(text)).build();
    }

    @Test
    void grpcUnaryAndStreamingGiveTheSameAnswer() {
        var stub = DeepSeekServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
        var whole = stub.generate(request("Hello gRPC", 10));
        assertTrue(whole.getId().startsWith("chatcmpl-"));
        assertTrue(List.of("stop", "length").contains(whole.getFinishReason()));
        assertTrue(whole.getUsage().getCompletionTokens() > 0);
        var text = new StringBuilder();
        var chunks = new ArrayList<ai.appliance.runtime.grpc.v1.GenerateChunk>();
        DeepSeekServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .generateStream(request("Hello gRPC", 10)).forEachRemaining(chunks::add);
        for (int i = 0; i < chunks.size(); i++) {
            assertEquals(i, chunks.get(i).getIndex());
            text.append(chunks.get(i).getReasoningContent()).append(chunks.get(i).getContent());
        }
        var last = chunks.getLast();
        assertEquals(whole.getFinishReason(), last.getFinishReason());
        assertEquals(whole.getUsage(), last.getUsage());
        assertEquals(whole.getReasoningContent() + whole.getContent(), text.toString());
        assertFalse(chunks.subList(0, chunks.size() - 1).stream().anyMatch(c -> !c.getFinishReason().isEmpty()));
    }

    @Test
    void grpcErrorsMapToStatusCodes() {
        var stub = DeepSeekServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
        var missing = assertThrows(StatusRuntimeException.class,
                () -> stub.generate(request("x", 3).toBuilder().setModel("no-such-model").build()));
        assertEquals(Status.Code.NOT_FOUND, missing.getStatus().getCode());
        var empty = assertThrows(StatusRuntimeException.class,
                () -> stub.generate(GenerateRequest.newBuilder().setMaxTokens(3).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, empty.getStatus().getCode());
    }
}
