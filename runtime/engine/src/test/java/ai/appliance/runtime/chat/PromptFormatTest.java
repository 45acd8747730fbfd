package ai.appliance.runtime.chat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.model.ModelFormatException;
import ai.appliance.runtime.testing.Fixtures;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptFormatTest {

    @Test
    void ggufAndCheckpointFolderGiveTheSamePromptIds() throws Exception {
        for (var model : List.of("tiny-qwen2", "tiny-llama3")) {
            var folder = Fixtures.model(model);
            var hf = PromptFormat.load(folder);
            var gguf = PromptFormat.load(folder.resolve(model + "-q8_0.gguf"));
            var reference = new ObjectMapper().readTree(folder.resolve("reference.json").toFile());
            for (var c : reference.get("chat_cases")) {
                String rendered = c.get("rendered").asText();
                int[] ids = hf.encodePrompt(rendered);
                assertEquals(hf.tokenizer().bosId(), ids[0], "the template writes BOS itself");
                assertEquals(1, java.util.Arrays.stream(ids).filter(i -> i == hf.tokenizer().bosId()).count(), "BOS once");
                assertArrayEquals(ids, gguf.encodePrompt(rendered), model);
                assertEquals(rendered, hf.tokenizer().decode(ids));
            }
            assertEquals(hf.render(List.of(ChatMessage.user("hi"))), gguf.render(List.of(ChatMessage.user("hi"))));
        }
    }

    @Test
    void bosIsAddedWhenTheTokenizerAsksAndThePromptLacksIt(@TempDir Path dir) throws Exception {
        var source = Fixtures.model("tiny-qwen2");
        Files.copy(source.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        var config = (Map<String, Object>) new ObjectMapper().readValue(source.resolve("tokenizer_config.json").toFile(), HashMap.class);
        config.put("add_bos_token", true);
        config.put("chat_template", "{% for m in messages %}{{ m['content'] }}{% endfor %}");
        new ObjectMapper().writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
        var format = PromptFormat.load(dir);
        int[] ids = format.encodeConversation(List.of(ChatMessage.user("hi")));
        assertEquals(1201, ids[0]);
        assertArrayEquals(format.tokenizer().encode("<｜begin▁of▁sentence｜>hi"), ids);
        assertArrayEquals(ids, format.encodePrompt("<｜begin▁of▁sentence｜>hi"), "no second BOS");
    }

    @Test
    void templateFromTokenizerConfigListOfNamedTemplates(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"bos_token": {"content": "<s>"}, "chat_template": [
                  {"name": "tool_use", "template": "tools"},
                  {"name": "default", "template": "{{ bos_token }}{{ messages[0]['content'] }}"}]}""");
        assertEquals("<s>x", ChatTemplates.load(dir).render(List.of(ChatMessage.user("x")), true));
    }

    @Test
    void missingTemplateNamesTheFolder(@TempDir Path dir) {
        var e = assertThrows(ModelFormatException.class, () -> ChatTemplates.load(dir));
        assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("chat template"), e.getMessage());
    }

    @Test
    void ggufWithoutTemplateUsesTheBuiltInDeepSeekTemplateForDeepSeekVocabularies() {
        var metadata = new HashMap<String, Object>();
        metadata.put("tokenizer.ggml.tokens", List.of("a", "<｜begin▁of▁sentence｜>", "<｜User｜>", "<｜Assistant｜>"));
        metadata.put("tokenizer.ggml.bos_token_id", 1L);
        var template = ChatTemplates.fromGguf(Path.of("/nonexistent/dir/model.gguf"), metadata);
        assertEquals("<｜begin▁of▁sentence｜><｜User｜>hi<｜Assistant｜><think>\n",
                template.render(List.of(ChatMessage.user("hi")), true));
        metadata.put("tokenizer.ggml.tokens", List.of("a", "b"));
        assertThrows(ModelFormatException.class, () -> ChatTemplates.fromGguf(Path.of("/nonexistent/dir/model.gguf"), metadata));
    }
}
