package ai.appliance.runtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.chat.ChatMessage;
import ai.appliance.runtime.chat.PromptFormat;
import ai.appliance.runtime.chat.ReasoningSplitter;
import ai.appliance.runtime.generation.GenerationSettings;
import ai.appliance.runtime.generation.Generator;
import ai.appliance.runtime.generation.TokenTextDecoder;
import ai.appliance.runtime.sampling.SamplerSettings;
import ai.appliance.runtime.testing.Fixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * A DeepSeek-V2-Lite GGUF (MLA with the compressed cache, MoE) is served like any other model: concurrent chat
 * requests batched by the scheduler give exactly the greedy answers of the engine run alone, with the reasoning
 * split of the R1 template.
 */
class DeepSeekServingTest {
    private static final String NAME = "tiny-deepseek-v2-lite";

    @Test
    void concurrentRequestsAreBatchedAndMatchTheEngineRunAlone() throws Exception {
        var file = Fixtures.model(NAME).resolve(NAME + "-q8_0.gguf");
        try (var harness = Harness.start(Map.of("models.0.name", NAME, "models.0.path", file.toString(),
                "engine.threads", "2"))) {
            var served = harness.appliance.server().catalog().route(NAME).model();
            var engine = served.engine();
            var format = PromptFormat.load(file);
            var prompts = List.of("Hello there", "What is a transformer?", "Tell me about the sea", "1 2 3 4");
            var expected = new ArrayList<String>();
            for (var p : prompts) {
                var rendered = format.render(List.of(ChatMessage.user(p)));
                var decoder = format.tokenizer().newStreamingDecoder();
                var result = new Generator(engine).generate(format.encodePrompt(rendered),
                        new GenerationSettings(SamplerSettings.greedy(), 12, List.of(), Set.of(format.tokenizer().eosId())),
                        new TokenTextDecoder() {
                            @Override
                            public String decode(int token) {
                                return decoder.push(token);
                            }

                            @Override
                            public String flush() {
                                return decoder.flush();
                            }
                        }, 1024, step -> { });
                var split = ReasoningSplitter.split(rendered, result.text());
                expected.add(split.reasoning() + "|" + split.content());
            }
            try (var pool = Executors.newFixedThreadPool(prompts.size())) {
                var futures = new ArrayList<Future<String>>();
                for (var p : prompts) {
                    futures.add(pool.submit(() -> {
                        var res = harness.post("/v1/chat/completions", "{\"model\":\"" + NAME + "\",\"temperature\":0,"
                                + "\"max_tokens\":12,\"messages\":[{\"role\":\"user\",\"content\":\"" + p + "\"}]}");
                        assertEquals(200, res.statusCode(), res.body());
                        var body = Harness.json(res.body());
                        assertEquals(NAME, body.path("model").asText());
                        assertTrue(body.at("/usage/completion_tokens").asInt() > 0, res.body());
                        var m = body.at("/choices/0/message");
                        return m.path("reasoning_content").asText("") + "|" + m.get("content").asText();
                    }));
                }
                for (int i = 0; i < prompts.size(); i++) {
                    assertEquals(expected.get(i), futures.get(i).get(), "prompt " + i + " differs when batched");
                }
            }
            var models = Harness.json(harness.get("/v1/models").body());
            assertTrue(models.toString().contains(NAME), models.toString());
        }
    }
}
