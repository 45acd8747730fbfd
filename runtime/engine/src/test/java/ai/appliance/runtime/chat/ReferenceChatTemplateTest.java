package ai.appliance.runtime.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.appliance.runtime.testing.Fixtures;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every {@code chat_cases} entry of every fixture (R1 distills, DeepSeek-V3/R1, V2-Lite) renders exactly as transformers rendered it. */
class ReferenceChatTemplateTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestFactory
    Stream<DynamicTest> chatCasesMatchTransformers() throws IOException {
        var tests = new ArrayList<DynamicTest>();
        for (var model : List.of("tiny-qwen2", "tiny-llama3", "tiny-deepseek-v3", "tiny-deepseek-v2-lite", "tiny-deepseek-v3-fp8")) {
            var folder = Fixtures.model(model);
            var reference = JSON.readTree(folder.resolve("reference.json").toFile());
            var template = new ChatTemplate(Files.readString(folder.resolve("chat_template.jinja")),
                    "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>");
            int i = 0;
            for (var c : reference.get("chat_cases")) {
                List<Map<String, Object>> messages = JSON.convertValue(c.get("messages"), new TypeReference<>() {});
                String expected = c.get("rendered").asText();
                tests.add(DynamicTest.dynamicTest(model + " case " + i++, () ->
                        assertEquals(expected, template.render(messages, true, null))));
            }
        }
        return tests.stream();
    }
}
