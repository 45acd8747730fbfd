package ai.appliance.runtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.appliance.runtime.testing.Fixtures;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The REST API as the official OpenAI client library (npm {@code openai}, run by Node) sees it: chat and
 * completions, streaming and not, with every response checked against OpenAI's schema.
 * Needs {@code npm ci --prefix runtime/server/src/test/node} (the runtime module's Maven build does it); fails loudly without it.
 */
class OpenAiClientTest {

    @Test
    void officialOpenAiClientDrivesChatAndCompletionsStreamingAndNot() throws Exception {
        var folder = Fixtures.repositoryRoot().resolve("runtime/server/src/test/node");
        if (!Files.isDirectory(folder.resolve("node_modules/openai"))) {
            fail("the OpenAI Node client is not installed: run `npm ci --prefix runtime/server/src/test/node` (the Maven build does this in generate-test-resources)");
        }
        try (var harness = Harness.start(Map.of())) {
            var pb = new ProcessBuilder("node", "openai-check.mjs").directory(folder.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            pb.environment().put("APPLIANCE_BASE_URL", harness.base.toString());
            pb.environment().put("APPLIANCE_MODEL", Harness.MODEL);
            var run = pb.start();
            var output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(run.waitFor(60, TimeUnit.SECONDS), "node did not finish");
            assertEquals(0, run.exitValue(), "the OpenAI client failed: " + output);
            var result = Harness.json(output);

            assertEquals(Harness.MODEL, result.at("/models/0/id").asText());
            Schemas.chatCompletion(result.get("chat"));
            var streamed = new StringBuilder();
            for (JsonNode chunk : result.get("chatStream")) {
                Schemas.chatChunk(chunk);
                streamed.append(chunk.at("/choices/0/delta/reasoning_content").asText(""))
                        .append(chunk.at("/choices/0/delta/content").asText(""));
            }
            var message = result.at("/chat/choices/0/message");
            assertEquals(message.path("reasoning_content").asText("") + message.get("content").asText(), streamed.toString());
            var last = result.get("chatStream").get(result.get("chatStream").size() - 1);
            assertEquals(result.at("/chat/usage/total_tokens").asInt(), last.at("/usage/total_tokens").asInt());

            Schemas.textCompletion(result.get("completion"));
            var text = new StringBuilder();
            for (JsonNode chunk : result.get("completionStream")) {
                Schemas.textCompletionChunk(chunk);
                text.append(chunk.at("/choices/0/text").asText());
            }
            assertEquals(result.at("/completion/choices/0/text").asText(), text.toString());

            assertEquals(404, result.at("/error/status").asInt());
            assertEquals("model_not_found", result.at("/error/code").asText());
        }
    }
}
