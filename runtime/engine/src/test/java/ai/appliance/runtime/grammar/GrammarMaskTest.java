package ai.appliance.runtime.grammar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.chat.ChatMessage;
import ai.appliance.runtime.chat.PromptFormat;
import ai.appliance.runtime.engine.LanguageModel;
import ai.appliance.runtime.generation.FinishReason;
import ai.appliance.runtime.generation.Generation;
import ai.appliance.runtime.generation.GenerationSettings;
import ai.appliance.runtime.generation.TokenTextDecoder;
import ai.appliance.runtime.loading.LanguageModels;
import ai.appliance.runtime.loading.ModelFiles;
import ai.appliance.runtime.sampling.SamplerSettings;
import ai.appliance.runtime.testing.Fixtures;
import ai.appliance.runtime.tokenizer.Tokenizer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Token masks over a real vocabulary and a real (random-weight) model: the fixture tiny-qwen2's byte-level BPE
 * tokenizer and forward pass. Every complete output must validate against its schema with an independent
 * validator (networknt json-schema-validator), for many seeds and schemas.
 */
class GrammarMaskTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SchemaRegistry VALIDATORS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    private static ModelFiles files;
    private static LanguageModel model;
    private static PromptFormat format;
    private static Set<Integer> stops;
    private static VocabularyTrie vocabulary;

    @BeforeAll
    static void load() {
        var folder = Fixtures.model("tiny-qwen2");
        files = ModelFiles.open(folder.resolve("tiny-qwen2-q8_0.gguf"));
        model = LanguageModels.onCpu(files, 1);
        format = PromptFormat.load(folder);
        stops = Set.of(format.tokenizer().eosId());
        vocabulary = VocabularyTrie.of(format.tokenizer(), model.config().vocabularySize(), stops);
    }

    @AfterAll
    static void close() {
        model.close();
        files.close();
    }

    /**
     * Schemas whose outputs are bounded (strings, arrays and numbers have maximum lengths), so that any sampling
     * finishes well within the budget: nested objects, arrays of objects, enums, numbers and integers, required and
     * optional fields, nullable values, references.
     */
    static final List<String> BOUNDED_SCHEMAS = List.of("""
            {"type": "object", "properties": {
              "name": {"type": "string", "minLength": 1, "maxLength": 12},
              "age": {"type": "integer"},
              "height": {"type": "number"},
              "member": {"type": "boolean"}},
             "required": ["name", "age", "member"], "additionalProperties": false}""", """
            {"type": "object", "properties": {
              "order": {"type": "object", "properties": {
                 "id": {"type": "integer"},
                 "status": {"enum": ["open", "paid", "shipped", "cancelled"]},
                 "lines": {"type": "array", "minItems": 1, "maxItems": 3, "items": {"type": "object", "properties": {
                    "sku": {"type": "string", "maxLength": 8},
                    "quantity": {"type": "integer"},
                    "price": {"type": "number"}}, "required": ["sku", "quantity"]}}},
                 "required": ["id", "status", "lines"]},
              "note": {"anyOf": [{"type": "string", "maxLength": 10}, {"type": "null"}]}},
             "required": ["order", "note"]}""", """
            {"type": "object", "properties": {
              "readings": {"type": "array", "maxItems": 4, "items": {"type": "number"}},
              "unit": {"const": "celsius"},
              "sensor": {"type": ["string", "null"], "maxLength": 6},
              "flags": {"type": "array", "maxItems": 3, "items": {"enum": [1, 2, 3, true, null]}}},
             "required": ["readings", "unit", "sensor", "flags"]}""", """
            {"$defs": {"point": {"type": "object", "properties": {"x": {"type": "integer"}, "y": {"type": "integer"}},
                                 "required": ["x", "y"], "additionalProperties": false}},
             "type": "object", "properties": {
               "start": {"$ref": "#/$defs/point"}, "end": {"$ref": "#/$defs/point"},
               "label": {"type": "string", "maxLength": 5}},
             "required": ["start", "end"]}""", """
            {"type": "object", "properties": {
              "matrix": {"type": "array", "minItems": 2, "maxItems": 2, "items":
                 {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "integer"}}},
              "choice": {"enum": ["yes", "no", "maybe"]},
              "deep": {"type": "object", "properties": {"a": {"type": "object", "properties": {"b": {"type": "object",
                 "properties": {"c": {"type": "boolean"}}, "required": ["c"]}}, "required": ["b"]}}, "required": ["a"]}},
             "required": ["matrix", "choice", "deep"]}""");

    /** The text of one generation under {@code grammar}, which must have ended with the stop token. */
    private static String generate(Rule grammar, SamplerSettings sampler, int maxTokens, MaskCache cache) {
        var generation = run(grammar, sampler, maxTokens, cache);
        assertEquals(FinishReason.EOS, generation.finishReason(), "ended by the grammar's end, not a limit: " + generation.text());
        return generation.text();
    }

    private static Generation run(Rule grammar, SamplerSettings sampler, int maxTokens, MaskCache cache) {
        var tokenizer = format.tokenizer();
        int[] prompt = format.encodeConversation(List.of(ChatMessage.user("Give me the JSON.")));
        int capacity = Math.min(model.config().contextLength(), prompt.length + maxTokens);
        var mask = new GrammarMask(grammar, vocabulary, cache);
        var decoder = tokenizer.newStreamingDecoder();
        var generation = new Generation(new GenerationSettings(sampler, maxTokens, List.of(), stops), prompt, capacity,
                model.config().vocabularySize(), new TokenTextDecoder() {
                    public String decode(int token) { return decoder.push(token); }
                    public String flush() { return decoder.flush(); }
                }, List.of(mask));
        try (var sequence = model.newSequence(capacity)) {
            var logits = model.forward(List.of(sequence), List.of(prompt))[0];
            while (true) {
                var step = generation.next(logits);
                if (step.finished()) break;
                logits = model.forward(List.of(sequence), List.of(new int[] {step.token()}))[0];
            }
        }
        assertEquals(generation.finishReason() == FinishReason.EOS, mask.state().isComplete(),
                "the stop token comes exactly when the value is complete");
        return generation;
    }

    private static void assertValid(String schema, String output) throws Exception {
        assertNotNull(JSON.readTree(output), "parses as JSON");
        var errors = VALIDATORS.getSchema(schema, InputFormat.JSON).validate(output, InputFormat.JSON);
        assertTrue(errors.isEmpty(), output + " breaks " + schema + ": " + errors);
    }

    @Test
    void everySampledOutputValidatesAgainstItsSchemaAcrossSeedsAndSettings() throws Exception {
        var cache = new MaskCache(16 << 20);
        var settings = List.of(SamplerSettings.builder().temperature(1).topP(1).build(),
                SamplerSettings.builder().temperature(1.5).topK(40).build(),
                SamplerSettings.builder().build(), // R1's default: 0.6, top-p 0.95
                SamplerSettings.greedy());
        int runs = 0;
        for (var schema : BOUNDED_SCHEMAS) {
            var grammar = JsonSchemaGrammar.compile(JSON.readTree(schema));
            for (var setting : settings) {
                for (long seed = 0; seed < (setting.isGreedy() ? 1 : 6); seed++) {
                    var output = generate(grammar, setting.toBuilder().seed(seed).build(), 900, cache);
                    assertValid(schema, output);
                    runs++;
                }
            }
        }
        assertEquals(BOUNDED_SCHEMAS.size() * 19, runs);
        assertTrue(cache.hits() > cache.misses(), "states repeat: " + cache.hits() + " hits, " + cache.misses() + " misses");
    }

    @Test
    void jsonObjectOutputIsAnObject() throws Exception {
        // Free-form strings have no bound, so a random-weight model may still be inside one at max_tokens; every
        // output that ends by itself must be an object.
        var cache = new MaskCache(16 << 20);
        int ended = 0;
        for (long seed = 0; seed < 6; seed++) {
            var generation = run(JsonSchemaGrammar.anyObject(),
                    SamplerSettings.builder().temperature(1).topP(1).seed(seed).build(), 900, cache);
            assertTrue(generation.text().startsWith("{"), generation.text());
            if (generation.finishReason() == FinishReason.EOS) {
                assertTrue(JSON.readTree(generation.text()).isObject(), generation.text());
                ended++;
            }
        }
        assertTrue(ended > 0, "some outputs end by themselves");
    }

    @Test
    void theTrieWalkAllowsExactlyTheTokensThatCheckingEachOnItsOwnAllows() throws Exception {
        var tokenizer = format.tokenizer();
        var bounded = JsonSchemaGrammar.compile(JSON.readTree(BOUNDED_SCHEMAS.get(1)));
        // Every position of a bounded string (sku: 8 characters) up to its limit, escapes, multi-byte characters,
        // numbers, enums, keys; and free-form strings and keys.
        var texts = java.util.Map.of(
                "{\"order\": {\"id\":12,\"status\":\"paid\",\"lines\":[{\"sku\":\"a\\u00e9\u00e9\\\"x\u4e2dyz\",\"quantity\":3}]},\"note\":null}",
                bounded,
                "{\"k\u00e9y\": [\"free \\n text \u4e2d\u6587\", -1.5e3, {\"\": true}], \"z\": null}",
                JsonSchemaGrammar.anyObject());
        int checked = 0;
        for (var entry : texts.entrySet()) {
            var state = GrammarState.start(entry.getValue());
            for (byte b : entry.getKey().getBytes(StandardCharsets.UTF_8)) {
                assertArrayEquals(bruteForce(tokenizer, state), vocabulary.allowed(state), "at " + state);
                checked++;
                state = state.advance(b);
                assertNotNull(state, entry.getKey());
            }
            assertTrue(state.isComplete());
            assertArrayEquals(bruteForce(tokenizer, state), vocabulary.allowed(state), "at the end");
        }
        assertTrue(checked > 100);
    }

    private static long[] bruteForce(Tokenizer tokenizer, GrammarState state) {
        var mask = new long[(model.config().vocabularySize() + 63) / 64];
        for (int id = 0; id < tokenizer.vocabularySize(); id++) {
            byte[] bytes = tokenizer.tokenBytes(id);
            boolean allowed;
            if (stops.contains(id)) allowed = state.isComplete();
            else if (bytes.length == 0 || tokenizer.isUnused(id)) allowed = false;
            else if (tokenizer.isSpecial(id)) allowed = state.advanceLiteral(bytes) != null;
            else allowed = state.advance(bytes) != null;
            if (allowed) mask[id >>> 6] |= 1L << id;
        }
        return mask;
    }

    @Test
    void controlTokensAreOnlyTakenWhereTheGrammarSpellsThemOut() {
        var tokenizer = format.tokenizer();
        int user = tokenizer.tokenId("<\uff5cUser\uff5c>");
        var inString = GrammarState.start(JsonSchemaGrammar.anyObject()).advance("{\"k\":\"");
        assertTrue(inString.advance(tokenizer.tokenBytes(user)) != null, "its text would do as string content");
        assertEquals(0, vocabulary.allowed(inString)[user >>> 6] & (1L << user), "but the control token is masked");
        var literal = GrammarState.start(Rule.sequence(Rule.literal("<\uff5cUser\uff5c>"), JsonSchemaGrammar.anyObject()));
        assertTrue((vocabulary.allowed(literal)[user >>> 6] & (1L << user)) != 0, "where the grammar spells it, it is allowed");
    }

    @Test
    void theStopTokenIsMaskedUntilTheValueIsComplete() {
        var tokenizer = format.tokenizer();
        var mask = new GrammarMask(JsonSchemaGrammar.anyObject(), vocabulary, new MaskCache(0));
        var logits = new float[model.config().vocabularySize()];
        logits[tokenizer.eosId()] = 100; // the model wants to stop at once; the grammar needs an object first
        mask.process(logits, new int[0], 0);
        assertEquals(Float.NEGATIVE_INFINITY, logits[tokenizer.eosId()]);
        int open = tokenizer.encode("{")[0];
        int close = tokenizer.encode("}")[0];
        mask.accept(open);
        mask.accept(close);
        var after = new float[logits.length];
        mask.process(after, new int[0], 0);
        for (int id = 0; id < after.length; id++) {
            assertEquals(id == tokenizer.eosId(), after[id] == 0f, "only the stop token is left, token " + id);
        }
    }
}
