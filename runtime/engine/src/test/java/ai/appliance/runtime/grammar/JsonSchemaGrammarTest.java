package ai.appliance.runtime.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The automata compiled from JSON Schemas: which texts they accept as complete output and which they refuse. */
class JsonSchemaGrammarTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Rule schema(String json) {
        try {
            return JsonSchemaGrammar.compile(JSON.readTree(json));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Whether {@code text} is a complete output of {@code rule}. */
    static boolean accepts(Rule rule, String text) {
        var state = GrammarState.start(rule).advance(text.getBytes(StandardCharsets.UTF_8));
        return state != null && state.isComplete();
    }

    /** Whether {@code text} can begin an output of {@code rule}. */
    static boolean prefix(Rule rule, String text) {
        return GrammarState.start(rule).advance(text.getBytes(StandardCharsets.UTF_8)) != null;
    }

    private static final String PERSON = """
            {"type": "object", "properties": {
               "name": {"type": "string", "maxLength": 5},
               "age": {"type": "integer"},
               "tags": {"type": "array", "items": {"enum": ["a", "b"]}, "minItems": 1, "maxItems": 2},
               "score": {"type": "number"}},
             "required": ["name", "tags"], "additionalProperties": false}""";

    @Test
    void objectsTakeDeclaredPropertiesInOrderRequiredOnesIncluded() {
        var rule = schema(PERSON);
        assertTrue(accepts(rule, "{\"name\":\"ann\",\"age\":7,\"tags\":[\"a\"],\"score\":1.5}"));
        assertTrue(accepts(rule, "{\"name\":\"ann\",\"tags\":[\"a\",\"b\"]}"), "optional properties may be left out");
        assertTrue(accepts(rule, "{\"name\": \"ann\", \"tags\": [\"a\", \"b\"]}"), "one space after colons and commas");
        assertFalse(accepts(rule, "{\"name\":\"ann\"}"), "a required property is missing");
        assertFalse(prefix(rule, "{\"age\":7"), "order is the schema's: name comes first and is required");
        assertFalse(prefix(rule, "{\"name\":\"ann\",\"name\""), "a property at most once");
        assertFalse(prefix(rule, "{\"name\":\"ann\",\"other\""), "no undeclared property");
        assertFalse(prefix(rule, "{\"name\":  \"ann\""), "at most one space");
        assertFalse(prefix(rule, "{ \"name\""), "no space after the opening brace");
        assertFalse(prefix(rule, "{\"name\":\"ann\",\"tags\":[\"a\"]}\n"), "nothing after the value");
        assertFalse(prefix(rule, "{\"name\":\"ann\",\"tags\":[\"c\""), "tags are enum values");
        assertFalse(prefix(rule, "{\"name\":\"ann\",\"tags\":[\"a\",\"b\",\""), "at most two tags");
        assertFalse(accepts(rule, "{\"name\":\"ann\",\"tags\":[]}"), "at least one tag");
    }

    @Test
    void aCompleteValueIsClosedAndTakesNoFurtherByte() {
        var state = GrammarState.start(schema(PERSON)).advance("{\"name\":\"x\",\"tags\":[\"a\"]}");
        assertNotNull(state);
        assertTrue(state.isComplete());
        assertTrue(state.isClosed());
        for (int b = 0; b < 256; b++) assertNull(state.advance(b));
    }

    @Test
    void stringsCountCharactersAndTakeOnlyValidJsonText() {
        var rule = schema("{\"type\": \"string\", \"minLength\": 2, \"maxLength\": 3}");
        assertTrue(accepts(rule, "\"ab\""));
        assertTrue(accepts(rule, "\"äö€\""), "three characters, seven bytes");
        assertTrue(accepts(rule, "\"a\\n\\u00e9\""), "an escape counts as one character");
        assertFalse(accepts(rule, "\"a\""));
        assertFalse(prefix(rule, "\"abcd"));
        var any = schema("{\"type\": \"string\"}");
        assertTrue(accepts(any, "\"\\\" \\\\ \\/ \\b \\f \\r \\t 😀\""));
        assertFalse(prefix(any, "\"a\nb"), "raw control characters are not JSON");
        assertFalse(prefix(any, "\"\\x"), "unknown escape");
        assertFalse(prefix(any, "\"\\ud83d"), "a surrogate escape");
        assertNull(GrammarState.start(any).advance(new byte[] {'"', (byte) 0xC0, (byte) 0x80}), "overlong UTF-8");
        assertNull(GrammarState.start(any).advance(new byte[] {'"', (byte) 0xED, (byte) 0xA0}), "a UTF-8 surrogate");
        assertNull(GrammarState.start(any).advance(new byte[] {'"', (byte) 0xE2, '"'}), "a cut UTF-8 sequence");
    }

    @Test
    void numbersFollowJsonSyntaxWithCappedDigits() {
        var number = schema("{\"type\": \"number\"}");
        for (var ok : new String[] {"0", "-0", "12", "-3.25", "1e5", "1E-2", "0.5e+10"}) assertTrue(accepts(number, ok), ok);
        for (var bad : new String[] {"01", "1.", ".5", "+1", "1e", "--1", "1.2.3"}) assertFalse(accepts(number, bad), bad);
        assertTrue(accepts(number, "1".repeat(NumberRule.MAX_INTEGER_DIGITS)));
        assertFalse(prefix(number, "1".repeat(NumberRule.MAX_INTEGER_DIGITS + 1)));
        var integer = schema("{\"type\": \"integer\"}");
        assertTrue(accepts(integer, "-42"));
        assertFalse(prefix(integer, "4.2"));
        assertFalse(prefix(integer, "4e2"));
    }

    @Test
    void aNumberEndsAtTheByteThatCannotContinueIt() {
        var rule = schema("{\"type\": \"array\", \"items\": {\"type\": \"number\"}}");
        assertTrue(accepts(rule, "[1,20, -3.5]"));
        assertFalse(prefix(rule, "[1 ,"));
    }

    @Test
    void enumsAndConstsMatchTheirValuesJsonText() {
        var rule = schema("{\"enum\": [\"red\", \"green\", 1, 12, null, {\"a\": [true]}]}");
        for (var ok : new String[] {"\"red\"", "\"green\"", "1", "12", "null", "{\"a\":[true]}"}) assertTrue(accepts(rule, ok), ok);
        for (var bad : new String[] {"\"re\"", "\"blue\"", "2", "123", "true"}) assertFalse(accepts(rule, bad), bad);
        var typed = schema("{\"type\": \"string\", \"enum\": [\"x\", 3]}");
        assertTrue(accepts(typed, "\"x\""));
        assertFalse(accepts(typed, "3"), "values of another type than the declared one are left out");
        assertTrue(accepts(schema("{\"const\": \"fixed\"}"), "\"fixed\""));
        assertFalse(accepts(schema("{\"const\": \"fixed\"}"), "\"other\""));
    }

    @Test
    void alternativesThatStartDifferentlyAreChosenByTheirFirstByte() {
        var nullable = schema("{\"anyOf\": [{\"type\": \"string\", \"maxLength\": 2}, {\"type\": \"null\"}]}");
        assertTrue(accepts(nullable, "\"ab\""));
        assertTrue(accepts(nullable, "null"));
        assertFalse(accepts(nullable, "1"));
        var types = schema("{\"type\": [\"integer\", \"array\", \"boolean\"], \"items\": {\"type\": \"null\"}}");
        assertTrue(accepts(types, "3"));
        assertTrue(accepts(types, "[null]"));
        assertTrue(accepts(types, "false"));
        var e = assertThrows(UnsupportedSchemaException.class,
                () -> schema("{\"anyOf\": [{\"type\": \"object\"}, {\"type\": \"object\", \"properties\": {}}]}"));
        assertEquals("anyOf", e.keyword());
        assertTrue(e.getMessage().contains("start differently"), e.getMessage());
    }

    @Test
    void localReferencesAreInlinedAndRecursiveOnesRefused() {
        var rule = schema("""
                {"$defs": {"point": {"type": "object", "properties": {"x": {"type": "integer"}}, "required": ["x"]}},
                 "type": "object", "properties": {"from": {"$ref": "#/$defs/point"}, "to": {"$ref": "#/$defs/point"}},
                 "required": ["from", "to"]}""");
        assertTrue(accepts(rule, "{\"from\":{\"x\":1},\"to\":{\"x\":2}}"));
        var e = assertThrows(UnsupportedSchemaException.class, () -> schema("""
                {"$defs": {"node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/node"}}}},
                 "$ref": "#/$defs/node"}"""));
        assertEquals("$ref", e.keyword());
        assertTrue(e.getMessage().contains("refers to itself"), e.getMessage());
        assertThrows(UnsupportedSchemaException.class, () -> schema("{\"$ref\": \"https://example.com/s.json\"}"));
        assertThrows(UnsupportedSchemaException.class, () -> schema("{\"$ref\": \"#/$defs/missing\"}"));
    }

    @Test
    void keywordsThatCannotBeEnforcedAreRefusedByNameAndPlace() {
        for (var keyword : new String[] {"pattern", "format", "minimum", "maximum", "multipleOf", "not", "patternProperties"}) {
            var e = assertThrows(UnsupportedSchemaException.class, () -> schema(
                    "{\"type\": \"object\", \"properties\": {\"v\": {\"type\": \"string\", \"" + keyword + "\": \"1\"}}}"));
            assertEquals(keyword, e.keyword());
            assertEquals("/properties/v/" + keyword, e.pointer());
            assertTrue(e.getMessage().contains("'" + keyword + "'") && e.getMessage().contains("supported:"), e.getMessage());
        }
        assertEquals("uniqueItems", assertThrows(UnsupportedSchemaException.class,
                () -> schema("{\"type\": \"array\", \"uniqueItems\": true}")).keyword());
        assertTrue(accepts(schema("{\"type\": \"array\", \"uniqueItems\": false}"), "[]"), "the off value is harmless");
        assertEquals("additionalProperties", assertThrows(UnsupportedSchemaException.class,
                () -> schema("{\"type\": \"object\", \"additionalProperties\": {\"type\": \"string\"}}")).keyword());
        assertEquals("required", assertThrows(UnsupportedSchemaException.class,
                () -> schema("{\"type\": \"object\", \"properties\": {}, \"required\": [\"x\"]}")).keyword());
        assertThrows(UnsupportedSchemaException.class, () -> schema("{\"type\": \"date\"}"));
        assertThrows(UnsupportedSchemaException.class, () -> schema("false"));
    }

    @Test
    void annotationsAndUnknownKeywordsAreIgnored() {
        var rule = schema("{\"title\": \"T\", \"description\": \"d\", \"x-vendor\": 1, \"type\": \"boolean\", \"default\": true}");
        assertTrue(accepts(rule, "true"));
        assertFalse(accepts(rule, "1"));
    }

    @Test
    void objectsWithoutDeclaredPropertiesTakeAnyJsonUnlessClosed() {
        var open = schema("{\"type\": \"object\"}");
        assertTrue(accepts(open, "{\"k\":[1,{\"n\":null}], \"s\": \"t\"}"));
        var closed = schema("{\"type\": \"object\", \"additionalProperties\": false}");
        assertTrue(accepts(closed, "{}"));
        assertFalse(prefix(closed, "{\""));
    }

    @Test
    void jsonObjectTakesAnyObjectNestedUpToTheLimit() {
        var rule = JsonSchemaGrammar.anyObject();
        assertTrue(accepts(rule, "{}"));
        assertTrue(accepts(rule, "{\"a\": {\"b\": [1, \"x\", true, null, -2.5e3]}, \"c\": []}"));
        assertFalse(prefix(rule, "[1]"), "the top level is an object");
        assertFalse(prefix(rule, "{\"a\" :"), "no space before a colon");
        int depth = JsonSchemaGrammar.FREE_VALUE_DEPTH;
        assertTrue(accepts(rule, "{\"a\":".repeat(depth) + "1" + "}".repeat(depth)));
        assertFalse(prefix(rule, "{\"a\":".repeat(depth) + "{"), "nesting stops at the limit");
    }

    @Test
    void composedGrammarsSequenceRepeatAndSwitch() {
        var call = Rule.sequence(Rule.literal("<call>"), Rule.keyed(java.util.Map.of(
                "add\n", schema("{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"integer\"}},\"required\":[\"x\"]}"),
                "ping\n", schema("{\"type\":\"object\",\"additionalProperties\":false}"))), Rule.literal("</call>"));
        var calls = Rule.repeat(call, Rule.literal("\n"), Rule.literal("<end>"), 1, 2);
        assertTrue(accepts(calls, "<call>add\n{\"x\":1}</call><end>"));
        assertTrue(accepts(calls, "<call>ping\n{}</call>\n<call>add\n{\"x\":2}</call><end>"));
        assertFalse(accepts(calls, "<end>"), "at least one call");
        assertFalse(prefix(calls, "<call>pong"), "only known names");
        assertFalse(prefix(calls, "<call>ping\n{}</call>\n<call>ping\n{}</call>\n"), "at most two calls");
        assertFalse(accepts(calls, "<call>add\n{\"x\":1}</call>"), "the end marker is due");
    }

    @Test
    void equalProgressMakesEqualStates() {
        var rule = schema("{\"type\":\"string\"}");
        var a = GrammarState.start(rule).advance("\"abc");
        var b = GrammarState.start(rule).advance("\"xyzw");
        assertEquals(a, b, "inside an unbounded string the text so far does not matter");
        assertEquals(a.hashCode(), b.hashCode());
        var bounded = "{\"type\":\"string\",\"maxLength\":9}";
        assertFalse(GrammarState.start(schema(bounded)).advance("\"abc").equals(GrammarState.start(schema(bounded)).advance("\"abc")),
                "states of another compilation differ (rules compare by identity)");
    }
}
