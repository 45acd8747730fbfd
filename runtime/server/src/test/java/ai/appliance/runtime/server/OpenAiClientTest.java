package ai.appliance.runtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.appliance.runtime.testing.Fixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The REST API as the official OpenAI client library (npm {@code openai}, run by Node) sees it: chat and
 * completions, streaming and not, structured output and tool calls (through the client's own parse and stream
 * helpers), with every response checked against OpenAI's schema.
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

            // Log probabilities as the client reads them: greedy picks the likeliest token, so each entry's logprob is
            // its first alternative's; the stream carries the same entries.
            var entries = result.at("/chatLogprobs/choices/0/logprobs/content");
            assertTrue(entries.isArray() && !entries.isEmpty(), result.get("chatLogprobs").toString());
            for (JsonNode entry : entries) {
                assertTrue(entry.get("logprob").asDouble() <= 0, entry.toString());
                assertEquals(3, entry.get("top_logprobs").size(), entry.toString());
                assertEquals(entry.at("/top_logprobs/0/logprob").asDouble(), entry.get("logprob").asDouble(), 1e-6);
                assertEquals(entry.at("/top_logprobs/0/token").asText(), entry.get("token").asText());
            }
            var streamedEntries = new java.util.ArrayList<JsonNode>();
            for (JsonNode chunk : result.get("chatLogprobsStream")) {
                chunk.at("/choices/0/logprobs/content").forEach(streamedEntries::add);
            }
            assertEquals(entries.size(), streamedEntries.size());
            for (int i = 0; i < entries.size(); i++) {
                assertEquals(entries.get(i).get("token").asText(), streamedEntries.get(i).get("token").asText());
                assertEquals(entries.get(i).get("logprob").asDouble(), streamedEntries.get(i).get("logprob").asDouble(), 1e-6);
            }
            var completionLogprobs = result.at("/completionLogprobs/choices/0/logprobs");
            assertEquals(completionLogprobs.get("tokens").size(), completionLogprobs.get("token_logprobs").size());
            assertTrue(completionLogprobs.get("tokens").size() > 0, completionLogprobs.toString());
            for (JsonNode alternatives : completionLogprobs.get("top_logprobs")) {
                assertEquals(2, alternatives.size(), alternatives.toString());
            }
        }
    }

    /** Bounded (short strings, an enum), so that even random weights finish an answer within a few dozen tokens. */
    private static final String READING = "{\"type\":\"object\",\"properties\":{\"sensor\":{\"type\":\"string\","
            + "\"maxLength\":5},\"level\":{\"enum\":[\"low\",\"high\"]},\"value\":{\"type\":\"integer\"}},"
            + "\"required\":[\"sensor\",\"level\",\"value\"],\"additionalProperties\":false}";

    @Test
    void officialOpenAiClientGetsSchemaAnswersAndToolCallsFromTheDemoModel() throws Exception {
        var folder = nodeFolder();
        // No model configured: serve writes and serves the random-weight demo model, as on a fresh box.
        try (var harness = Harness.start(Map.of("models", "none"))) {
            var model = Harness.json(harness.get("/v1/models").body()).at("/data/0/id").asText();
            var pb = new ProcessBuilder("node", "openai-structured.mjs").directory(folder.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            pb.environment().put("APPLIANCE_BASE_URL", harness.base.toString());
            pb.environment().put("APPLIANCE_MODEL", model);
            pb.environment().put("APPLIANCE_SCHEMA", READING);
            var run = pb.start();
            var output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(run.waitFor(120, TimeUnit.SECONDS), "node did not finish");
            assertEquals(0, run.exitValue(), "the OpenAI client failed: " + output);
            var result = Harness.json(output);
            var validator = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(READING, InputFormat.JSON);

            Schemas.chatCompletion(result.get("jsonSchema"));
            assertEquals("stop", result.at("/jsonSchema/choices/0/finish_reason").asText());
            var content = result.at("/jsonSchema/choices/0/message/content").asText();
            assertTrue(validator.validate(content, InputFormat.JSON).isEmpty(), content);
            assertEquals(Harness.json(result.get("parsedContent").asText()), result.get("parsed"), "the client parsed it");
            assertTrue(validator.validate(result.get("parsedContent").asText(), InputFormat.JSON).isEmpty());

            Schemas.chatCompletion(result.get("jsonObject"));
            var object = result.at("/jsonObject/choices/0/message/content").asText();
            assertTrue(object.startsWith("{"), object);
            if (result.at("/jsonObject/choices/0/finish_reason").asText().equals("stop")) {
                assertTrue(Harness.json(object).isObject(), object);
            }

            Schemas.chatCompletion(result.get("toolCall"));
            assertEquals("tool_calls", result.at("/toolCall/choices/0/finish_reason").asText());
            var call = result.at("/toolCall/choices/0/message/tool_calls/0");
            assertEquals("report_reading", call.at("/function/name").asText());
            assertTrue(validator.validate(call.at("/function/arguments").asText(), InputFormat.JSON).isEmpty(), call.toString());

            var streamed = new StringBuilder();
            for (JsonNode chunk : result.get("toolChunks")) {
                Schemas.chatChunk(chunk);
                chunk.at("/choices/0/delta/tool_calls").forEach(piece -> streamed.append(piece.at("/function/arguments").asText()));
            }
            var assembled = result.at("/toolStream/choices/0/message/tool_calls");
            assertEquals(1, assembled.size(), "parallel_tool_calls false: one call");
            assertEquals("tool_calls", result.at("/toolStream/choices/0/finish_reason").asText());
            assertEquals(streamed.toString(), assembled.at("/0/function/arguments").asText());
            // The helper parsed the strict tool's arguments into an object.
            assertEquals(Harness.json(streamed.toString()), assembled.at("/0/function/parsed_arguments"));
            assertTrue(validator.validate(streamed.toString(), InputFormat.JSON).isEmpty(), streamed.toString());

            Schemas.chatCompletion(result.get("followUp"));
            assertTrue(result.at("/followUp/usage/prompt_tokens").asInt() > result.at("/toolCall/usage/prompt_tokens").asInt(),
                    "the call and its result are in the prompt");

            assertEquals(400, result.at("/error/status").asInt());
            assertEquals("response_format.json_schema.schema", result.at("/error/param").asText());
            assertTrue(result.at("/error/message").asText().contains("'pattern'"), result.get("error").toString());
        }
    }

    private static java.nio.file.Path nodeFolder() {
        var folder = Fixtures.repositoryRoot().resolve("runtime/server/src/test/node");
        if (!Files.isDirectory(folder.resolve("node_modules/openai"))) {
            fail("the OpenAI Node client is not installed: run `npm ci --prefix runtime/server/src/test/node` (the Maven"
                    + " build does this in generate-test-resources; it needs node and npm)");
        }
        return folder;
    }
}
