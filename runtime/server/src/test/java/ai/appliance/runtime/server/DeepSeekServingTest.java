package ai.appliance.runtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.chat.PromptFormat;
import ai.appliance.runtime.testing.Fixtures;
import java.util.List;
import java.util.Map;
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
            var engine = harness.appliance.server().catalog().route(NAME).model().engine();
            var prompts = List.of("Hello there", "What is a transformer?", "Tell me about the sea", "1 2 3 4");
            assertEquals(Harness.engineAnswers(engine, PromptFormat.load(file), prompts, 12),
                    harness.concurrentAnswers(NAME, prompts, 12), "answers differ when batched");
            var models = Harness.json(harness.get("/v1/models").body());
            assertTrue(models.toString().contains(NAME), models.toString());
        }
    }
}
