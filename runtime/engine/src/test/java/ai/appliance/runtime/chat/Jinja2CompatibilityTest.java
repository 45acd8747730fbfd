package ai.appliance.runtime.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Templates rendered by Jinjava equal what Python's jinja2 rendered with transformers' settings (expected
 * outputs in {@code chat/jinja2-reference.json} were produced by jinja2 3.1.6): tool calls, Python string
 * methods, {@code tojson}, whitespace control, {@code [::-1]}.
 */
class Jinja2CompatibilityTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String resource(String name) throws IOException {
        try (InputStream in = Jinja2CompatibilityTest.class.getResourceAsStream("/chat/" + name)) {
            if (in == null) throw new IllegalStateException("test resource missing: chat/" + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @TestFactory
    Stream<DynamicTest> rendersLikeJinja2() throws IOException {
        var reference = JSON.readTree(resource("jinja2-reference.json"));
        var tests = new ArrayList<DynamicTest>();
        int i = 0;
        for (var c : reference.get("cases")) {
            String name = c.get("template").asText();
            var template = new ChatTemplate(resource(name), "<BOS>", "<EOS>");
            List<Map<String, Object>> messages = JSON.convertValue(c.get("messages"), new TypeReference<>() {});
            List<Map<String, Object>> tools = c.get("tools").isNull() ? null : JSON.convertValue(c.get("tools"), new TypeReference<>() {});
            boolean addGenerationPrompt = c.get("add_generation_prompt").asBoolean();
            String expected = c.get("rendered").asText();
            tests.add(DynamicTest.dynamicTest(name + " #" + i++, () ->
                    assertEquals(expected, template.render(messages, addGenerationPrompt, tools))));
        }
        return tests.stream();
    }

    @Test
    void raiseExceptionBecomesAnError() {
        var template = new ChatTemplate("{% if messages[0]['role'] != 'user' %}{{ raise_exception('first must be user') }}{% endif %}ok", "", "");
        var e = assertThrows(ChatTemplateException.class,
                () -> template.render(List.of(ChatMessage.assistant("x")), false));
        assertTrue(e.getMessage().contains("first must be user"), e.getMessage());
        assertEquals("ok", template.render(List.of(ChatMessage.user("x")), false));
    }

    @Test
    void templateSyntaxInsideMessagesIsTextNotCode() throws IOException {
        var template = new ChatTemplate(resource("deepseek-r1-distill.jinja"), "<BOS>", "<EOS>");
        String hostile = "{{ 7*7 }} {% for x in range(3) %}X{% endfor %} {{ raise_exception('boom') }}";
        assertEquals("<BOS><｜User｜>" + hostile + "<｜Assistant｜><think>\n",
                template.render(List.of(ChatMessage.user(hostile)), true));
    }

    @Test
    void runawayTemplateOutputIsStoppedWithAnError() {
        var template = new ChatTemplate("{% for i in range(10) %}{{ messages[0]['content'] }}{% endfor %}", "", "");
        var bigContent = "x".repeat(24 << 20);
        assertThrows(ChatTemplateException.class, () -> template.render(List.of(ChatMessage.user(bigContent)), false));
    }

    @Test
    void generationBlocksRenderTheirBody() {
        var template = new ChatTemplate("{% for m in messages %}{% generation %}[{{ m['content'] }}]{% endgeneration %}{% endfor %}", "", "");
        assertEquals("[a][b]", template.render(List.of(ChatMessage.user("a"), ChatMessage.assistant("b")), false));
    }

    @Test
    void pythonMethodMisuseIsATemplateError() {
        var template = new ChatTemplate("{{ messages[0]['content'].split('') }}{{ messages[0]['content'].startswith() }}", "", "");
        assertThrows(ChatTemplateException.class, () -> template.render(List.of(ChatMessage.user("x")), false));
    }

    @Test
    void brokenTemplateSyntaxIsReportedNotRenderedAsText() {
        var template = new ChatTemplate("{% for m in messages %}{{ m.content ", "", "");
        assertThrows(ChatTemplateException.class, () -> template.render(List.of(ChatMessage.user("x")), false));
    }
}
