package ai.appliance.runtime.tools;

import static ai.appliance.runtime.tools.DeepSeekToolCalls.CALLS_BEGIN;
import static ai.appliance.runtime.tools.DeepSeekToolCalls.CALLS_END;
import static ai.appliance.runtime.tools.DeepSeekToolCalls.CALL_BEGIN;
import static ai.appliance.runtime.tools.DeepSeekToolCalls.CALL_END;
import static ai.appliance.runtime.tools.DeepSeekToolCalls.SEP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.chat.ChatMessage;
import ai.appliance.runtime.chat.PromptFormat;
import ai.appliance.runtime.chat.ToolCall;
import ai.appliance.runtime.chat.ToolDefinition;
import ai.appliance.runtime.grammar.GrammarState;
import ai.appliance.runtime.grammar.JsonSchemaGrammar;
import ai.appliance.runtime.testing.Fixtures;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** DeepSeek-V3/R1 tool calls: the template's rendering, parsing streamed output, and the grammar of forced calls. */
class DeepSeekToolCallsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String call(String name, String arguments) {
        return CALL_BEGIN + "function" + SEP + name + "\n```json\n" + arguments + "\n```" + CALL_END;
    }

    private static final String TWO_CALLS = "Let me check." + CALLS_BEGIN + call("get_weather", "{\"city\": \"Paris\"}")
            + "\n" + call("get_time", "{\"zone\":\"CET\",\"fmt\":\"```\"}") + CALLS_END;

    /** What a parser made of the text: the content, and per call its name and whole arguments. */
    private record Parsed(String content, List<String> names, List<String> arguments) {
    }

    private static Parsed parse(List<String> pieces) {
        var parser = ToolCallSyntax.of(templateSource()).orElseThrow().newParser();
        var content = new StringBuilder();
        var names = new ArrayList<String>();
        var arguments = new ArrayList<StringBuilder>();
        var outputs = new ArrayList<ToolCallParser.Output>();
        for (var piece : pieces) outputs.add(parser.push(piece));
        outputs.add(parser.finish());
        for (var out : outputs) {
            content.append(out.content());
            for (var chunk : out.calls()) {
                if (chunk.name() != null) {
                    assertEquals(names.size(), chunk.index(), "calls are numbered in order");
                    names.add(chunk.name());
                    arguments.add(new StringBuilder());
                }
                arguments.get(chunk.index()).append(chunk.arguments());
            }
        }
        assertEquals(names.size(), parser.calls());
        return new Parsed(content.toString(), names, arguments.stream().map(StringBuilder::toString).toList());
    }

    private static String templateSource() {
        return PromptFormat.load(Fixtures.model("tiny-deepseek-v3")).template().source();
    }

    @Test
    void callsAreParsedOutOfTheTextWithTheirArguments() {
        var parsed = parse(List.of(TWO_CALLS));
        assertEquals("Let me check.", parsed.content());
        assertEquals(List.of("get_weather", "get_time"), parsed.names());
        assertEquals(List.of("{\"city\": \"Paris\"}", "{\"zone\":\"CET\",\"fmt\":\"```\"}"), parsed.arguments());
    }

    @Test
    void anySplitOfTheStreamGivesTheSameCallsAndContent() {
        var whole = parse(List.of(TWO_CALLS));
        var random = new Random(11);
        for (int round = 0; round < 300; round++) {
            var pieces = new ArrayList<String>();
            int at = 0;
            while (at < TWO_CALLS.length()) {
                int next = Math.min(TWO_CALLS.length(), at + 1 + random.nextInt(round % 3 == 0 ? 2 : 12));
                pieces.add(TWO_CALLS.substring(at, next));
                at = next;
            }
            assertEquals(whole, parse(pieces), "split into " + pieces);
        }
    }

    @Test
    void argumentsStreamBeforeTheCallEnds() {
        var parser = ToolCallSyntax.of(templateSource()).orElseThrow().newParser();
        parser.push(CALLS_BEGIN + CALL_BEGIN + "function" + SEP + "f\n```json\n");
        var out = parser.push("{\"a\": 1");
        assertEquals(List.of(new ToolCallChunk(0, null, "{\"a\": 1")), out.calls());
        assertEquals(List.of(new ToolCallChunk(0, null, "}")), parser.push("}\n").calls(),
                "the newline may start the closing fence: held back");
        assertEquals(List.of(), parser.push("```" + CALL_END).calls(), "it did: nothing more for the arguments");
    }

    @Test
    void textWithoutCallsPassesThroughAndLooksAlikeAreReleased() {
        var parsed = parse(List.of("Plain answer with <| a bracket ", "and a <\uff5ctool", "\u2581call"));
        assertEquals("Plain answer with <| a bracket and a <\uff5ctool\u2581call", parsed.content());
        assertTrue(parsed.names().isEmpty());
    }

    @Test
    void callsWithoutTheWrapperOrTheFenceAreStillCalls() {
        var parsed = parse(List.of(CALL_BEGIN + "function" + SEP + "ping\n{}" + CALL_END));
        assertEquals(List.of("ping"), parsed.names());
        assertEquals(List.of("{}"), parsed.arguments());
    }

    @Test
    void aCallCutByALimitKeepsWhatItsArgumentsHadSoFar() {
        var parsed = parse(List.of(CALLS_BEGIN + CALL_BEGIN + "function" + SEP + "f\n```json\n{\"a\": [1, 2"));
        assertEquals(List.of("f"), parsed.names());
        assertEquals(List.of("{\"a\": [1, 2"), parsed.arguments());
        assertEquals(List.of(), parse(List.of(CALLS_BEGIN + CALL_BEGIN + "func")).names(), "no name yet: no call");
        var cutInTheEnd = parse(List.of(CALLS_BEGIN + CALL_BEGIN + "function" + SEP + "f\n```json\n{}\n```<\uff5ctool"));
        assertEquals(List.of("{}"), cutInTheEnd.arguments(), "a closing marker cut short is not part of the arguments");
    }

    @Test
    void forcedCallsGrammarTakesTheCanonicalFormOfKnownFunctionsOnly() throws Exception {
        var syntax = ToolCallSyntax.of(templateSource()).orElseThrow();
        var arguments = new LinkedHashMap<String, ai.appliance.runtime.grammar.Rule>();
        arguments.put("get_weather", JsonSchemaGrammar.compile(JSON.readTree(
                "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}")));
        arguments.put("get_time", JsonSchemaGrammar.compile(JSON.readTree(
                "{\"type\":\"object\",\"properties\":{\"zone\":{\"type\":\"string\"},\"fmt\":{\"type\":\"string\"}}}")));
        var grammar = syntax.calls(arguments, 2);
        var text = TWO_CALLS.substring("Let me check.".length());
        var state = GrammarState.start(grammar).advance(text);
        assertTrue(state != null && state.isComplete(), "the format the parser reads");
        assertNull(GrammarState.start(grammar).advance(CALLS_BEGIN + call("delete_all", "{}")), "unknown function");
        assertNull(GrammarState.start(grammar).advance(CALLS_BEGIN + call("get_weather", "{}")), "required argument missing");
        assertNull(GrammarState.start(syntax.calls(arguments, 1)).advance(text), "one call at most");
        assertFalse(GrammarState.start(grammar).advance(CALLS_BEGIN + call("get_time", "{}")).isComplete(),
                "the calls end with their closing marker");
    }

    @Test
    void theTemplateRendersCallsAndToolResultsAsJinja2Does() {
        var format = PromptFormat.load(Fixtures.model("tiny-deepseek-v3"));
        var calls = List.of(new ToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}"),
                new ToolCall("call_2", "get_weather", "{\"city\":\"Rome\"}"));
        var messages = List.of(ChatMessage.system("Be brief."), ChatMessage.user("Weather in Paris and Rome?"),
                new ChatMessage("assistant", null, calls, null), new ChatMessage("tool", "18C", List.of(), "call_1"),
                new ChatMessage("tool", "24C", List.of(), "call_2"));
        // Python's jinja2 3.1.6 (trim_blocks, lstrip_blocks) renders the same template to exactly this.
        var expected = "<\uff5cbegin\u2581of\u2581sentence\uff5c>Be brief.<\uff5cUser\uff5c>Weather in Paris and Rome?"
                + "<\uff5cAssistant\uff5c>" + CALLS_BEGIN + call("get_weather", "{\"city\":\"Paris\"}") + "\n"
                + call("get_weather", "{\"city\":\"Rome\"}") + CALLS_END + "<\uff5cend\u2581of\u2581sentence\uff5c>"
                + "<\uff5ctool\u2581outputs\u2581begin\uff5c><\uff5ctool\u2581output\u2581begin\uff5c>18C"
                + "<\uff5ctool\u2581output\u2581end\uff5c>\n<\uff5ctool\u2581output\u2581begin\uff5c>24C"
                + "<\uff5ctool\u2581output\u2581end\uff5c><\uff5ctool\u2581outputs\u2581end\uff5c>";
        assertEquals(expected, format.render(messages, List.of()));
    }

    @Test
    void toolsAreDescribedInTheSystemPromptWhenTheTemplateDoesNotRenderThem() throws Exception {
        var syntax = ToolCallSyntax.of(templateSource()).orElseThrow();
        var tool = new ToolDefinition("get_weather", "Current weather", JSON.readTree("{\"type\":\"object\"}"));
        var prompt = syntax.systemPrompt(List.of(tool)).orElseThrow();
        assertTrue(prompt.contains("### get_weather\nDescription: Current weather"), prompt);
        assertTrue(prompt.contains("Parameters: {\"type\":\"object\"}"), prompt);
        assertTrue(prompt.contains(CALLS_BEGIN + CALL_BEGIN + "function" + SEP), prompt);
        var rendering = ToolCallSyntax.of(templateSource() + "{% if tools %}{{ tools | tojson }}{% endif %}").orElseThrow();
        assertTrue(rendering.systemPrompt(List.of(tool)).isEmpty(), "a template that renders tools itself");
        assertTrue(ToolCallSyntax.of("{{ messages[0]['content'] }}").isEmpty(), "a template without tool calls");
        Map<String, Object> map = tool.toTemplateMap();
        assertEquals("function", map.get("type"));
    }
}
