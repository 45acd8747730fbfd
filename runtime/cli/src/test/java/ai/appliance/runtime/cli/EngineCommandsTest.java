package ai.appliance.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.testing.Fixtures;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class EngineCommandsTest {

    private record Outcome(int status, String out, String err) {
    }

    private static Outcome run(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = Main.newCommandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int status = cli.execute(args);
        return new Outcome(status, out.toString(), err.toString());
    }

    @Test
    void logitsPrintsTheReferenceLastLogitsAsJson() throws Exception {
        var model = Fixtures.model("tiny-qwen2");
        var reference = new ObjectMapper().readTree(model.resolve("reference.json").toFile()).path("f32").path("prompts").get(0);
        var ids = new StringBuilder();
        for (var id : reference.path("input_ids")) ids.append(ids.isEmpty() ? "" : ",").append(id.asInt());
        var outcome = run("logits", "--model", model.toString(), "--ids", ids.toString(), "--threads", "2");
        assertEquals(0, outcome.status(), outcome.err());
        var logits = new ObjectMapper().readValue(outcome.out(), float[].class);
        assertEquals(reference.path("last_logits").size(), logits.length);
        for (int i = 0; i < logits.length; i++) assertEquals(reference.path("last_logits").get(i).asDouble(), logits[i], 1e-3);
    }

    @Test
    void runWithIdsAtTemperatureZeroPrintsTheGreedyTokensAsJson() throws Exception {
        var model = Fixtures.model("tiny-llama3");
        var reference = new ObjectMapper().readTree(model.resolve("reference.json").toFile()).path("f32").path("prompts").get(0);
        var ids = new StringBuilder();
        for (var id : reference.path("input_ids")) ids.append(ids.isEmpty() ? "" : ",").append(id.asInt());
        int steps = 0;
        while (steps < 24 && reference.path("greedy_steps").get(steps).path("margin").asDouble() >= 1e-2) steps++;
        var outcome = run("run", "--model", model.resolve("tiny-llama3-f32.gguf").toString(), "--ids", ids.toString(),
                "--temperature", "0", "--max-tokens", "24", "--json");
        assertEquals(0, outcome.status(), outcome.err());
        var json = new ObjectMapper().readTree(outcome.out());
        var generated = new ObjectMapper().convertValue(json.path("ids"), int[].class);
        var expected = new ObjectMapper().convertValue(reference.path("greedy_ids"), int[].class);
        assertArrayEquals(Arrays.copyOf(expected, steps), Arrays.copyOf(generated, steps));
        assertEquals("length", json.path("finish_reason").asText());
        assertTrue(json.has("text") && json.has("reasoning"));
    }

    @Test
    void promptIsChatFormattedByDefaultAndRawOnRequest() throws Exception {
        var model = Fixtures.model("tiny-qwen2");
        var format = ai.appliance.runtime.chat.PromptFormat.load(model);
        var chatIds = format.encodeConversation(java.util.List.of(ai.appliance.runtime.chat.ChatMessage.user("Hello there")));
        var rawIds = format.encodePrompt("Hello there");
        var mapper = new ObjectMapper();
        for (var mode : new String[][] {{"--prompt", "Hello there"}, {"--prompt", "Hello there", "--raw"}}) {
            boolean raw = mode.length == 3;
            var ids = Arrays.stream(raw ? rawIds : chatIds).mapToObj(String::valueOf).reduce((a, b) -> a + "," + b).orElseThrow();
            var viaText = run(concat(new String[] {"run", "--model", model.toString(), "--temperature", "0", "--max-tokens", "12", "--json"}, mode));
            var viaIds = run("run", "--model", model.toString(), "--temperature", "0", "--max-tokens", "12", "--json", "--ids", ids);
            assertEquals(0, viaText.status(), viaText.err());
            assertEquals(mapper.readTree(viaIds.out()).path("ids"), mapper.readTree(viaText.out()).path("ids"), String.join(" ", mode));
        }
        // The chat template opens <think>, so a chat answer's text lands in "reasoning" until </think>.
        var chat = mapper.readTree(run("run", "--model", model.toString(), "--prompt", "Hello there", "--temperature", "0",
                "--max-tokens", "12", "--json").out());
        assertTrue(chat.path("reasoning").isTextual(), chat.toString());
    }

    @Test
    void stopStringEndsTheAnswerWithoutShowingIt() throws Exception {
        var model = Fixtures.model("tiny-llama3").toString();
        var mapper = new ObjectMapper();
        var full = mapper.readTree(run("run", "--model", model, "--ids", "1401,46,77", "--temperature", "0",
                "--max-tokens", "24", "--json").out()).path("text").asText();
        assertTrue(full.length() > 8, full);
        var stop = full.substring(5, 8);
        var cut = mapper.readTree(run("run", "--model", model, "--ids", "1401,46,77", "--temperature", "0",
                "--max-tokens", "24", "--json", "--stop", stop).out());
        assertEquals(full.substring(0, full.indexOf(stop)), cut.path("text").asText());
        assertEquals("stop", cut.path("finish_reason").asText());
    }

    private static String[] concat(String[] a, String[] b) {
        var out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void promptLongerThanTheContextFailsWithOneLineAndNonZeroStatus() {
        var outcome = run("run", "--model", Fixtures.model("tiny-qwen2").toString(), "--ids", "1,2,3,4", "--context", "3");
        assertEquals(1, outcome.status());
        assertTrue(outcome.err().contains("need 4 positions but the context holds 3"), outcome.err());
        assertEquals(1, outcome.err().strip().lines().count(), outcome.err());
    }

    @Test
    void withoutPromptOrTerminalRunAsksForOne() {
        var outcome = run("run", "--model", Fixtures.model("tiny-qwen2").toString());
        assertEquals(1, outcome.status());
        assertTrue(outcome.err().contains("--prompt"), outcome.err());
    }

    @Test
    void missingModelFailsNamingThePath() {
        var outcome = run("logits", "--model", "/no/such/model.gguf", "--ids", "1");
        assertEquals(1, outcome.status());
        assertTrue(outcome.err().contains("/no/such/model.gguf"), outcome.err());
    }
}
