package ai.appliance.runtime.grammar;

import ai.appliance.runtime.testing.Fixtures;
import ai.appliance.runtime.tokenizer.Tokenizer;
import ai.appliance.runtime.tokenizer.Tokenizers;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-token cost of structured output: {@link GrammarMask#process} (the mask of the current grammar state,
 * computed by walking the vocabulary trie or taken from the cache, then applied to the logits) and
 * {@link GrammarMask#accept}, replayed over {@value #TOKENS} tokens of valid JSON for a nested schema (objects,
 * an array of objects, enums, strings, numbers, a nullable field). The vocabulary is a real one: DeepSeek-LLM's
 * 102,400-token byte-level BPE from the fixtures; logits are sized like Qwen2's output (151,936), the rest masked.
 * {@code cache}: {@code cold} starts every replay with an empty mask cache (a schema's first request),
 * {@code warm} keeps it (a schema seen before). The per-step copy of the logits (what the sampler does anyway) is
 * included. {@code walk} is one uncached mask of a single state: inside a string (nearly every token allowed: the
 * whole trie is walked, the worst case) and after a colon (a value's first byte: most of the trie pruned at once).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC"})
public class GrammarMaskBenchmark {
    static final int TOKENS = 256;
    static final int LOGITS = 151_936;
    static final String SCHEMA = """
            {"type": "object", "properties": {
              "order": {"type": "object", "properties": {
                 "id": {"type": "integer"},
                 "status": {"enum": ["open", "paid", "shipped", "cancelled"]},
                 "customer": {"type": "string", "maxLength": 40},
                 "lines": {"type": "array", "minItems": 1, "maxItems": 4, "items": {"type": "object", "properties": {
                    "sku": {"type": "string", "maxLength": 12}, "quantity": {"type": "integer"},
                    "price": {"type": "number"}}, "required": ["sku", "quantity", "price"]}}},
                 "required": ["id", "status", "customer", "lines"]},
              "note": {"anyOf": [{"type": "string"}, {"type": "null"}]}},
             "required": ["order", "note"]}""";

    @Param({"cold", "warm"})
    public String cache;

    private VocabularyTrie vocabulary;
    private Rule grammar;
    private int[] path;
    private float[] logits;
    private float[] work;
    private MaskCache warm;
    private int stop;
    private GrammarState insideString;
    private GrammarState afterColon;

    @Setup
    public void setUp() throws Exception {
        Tokenizer tokenizer = Tokenizers.load(Fixtures.path("vocab/ggml-vocab-deepseek-llm.gguf"));
        stop = tokenizer.eosId();
        vocabulary = VocabularyTrie.of(tokenizer, LOGITS, Set.of(stop));
        grammar = JsonSchemaGrammar.compile(new ObjectMapper().readTree(SCHEMA));
        path = validTokens(new SplittableRandom(3));
        var random = new SplittableRandom(5);
        logits = new float[LOGITS];
        for (int i = 0; i < LOGITS; i++) logits[i] = (float) random.nextGaussian();
        work = new float[LOGITS];
        warm = new MaskCache(32L << 20);
        insideString = GrammarState.start(grammar).advance("{\"order\": {\"id\": 1, \"status\": \"paid\", \"customer\": \"A");
        afterColon = GrammarState.start(grammar).advance("{\"order\": {\"id\":");
    }

    @Benchmark
    public long[] walkInsideString() {
        return vocabulary.allowed(insideString);
    }

    @Benchmark
    public long[] walkAfterColon() {
        return vocabulary.allowed(afterColon);
    }

    /**
     * TOKENS tokens of outputs the grammar accepts, whole documents one after another (each ending with the stop
     * token): at every step a random allowed token, the stop token as soon as it is allowed, and short tokens
     * preferred inside strings so that documents also end.
     */
    private int[] validTokens(SplittableRandom random) {
        var tokens = new ArrayList<Integer>();
        var state = GrammarState.start(grammar);
        while (tokens.size() < TOKENS) {
            var mask = vocabulary.allowed(state);
            if (state.isComplete()) {
                tokens.add(stop);
                state = GrammarState.start(grammar);
                continue;
            }
            var allowed = new ArrayList<Integer>();
            for (int id = 0; id < LOGITS; id++) if ((mask[id >>> 6] & (1L << id)) != 0) allowed.add(id);
            int pick = allowed.get(random.nextInt(allowed.size()));
            if (random.nextInt(4) != 0) {
                for (int tries = 0; tries < 8 && vocabulary.bytes(pick).length > 2; tries++) {
                    pick = allowed.get(random.nextInt(allowed.size()));
                }
            }
            tokens.add(pick);
            state = state.advance(vocabulary.bytes(pick));
        }
        return tokens.stream().mapToInt(Integer::intValue).toArray();
    }

    @Benchmark
    @OperationsPerInvocation(TOKENS)
    public float maskPerToken() {
        var masks = cache.equals("warm") ? warm : new MaskCache(32L << 20);
        var mask = new GrammarMask(grammar, vocabulary, masks);
        float sum = 0;
        for (int token : path) {
            System.arraycopy(logits, 0, work, 0, LOGITS);
            mask.process(work, path, 0);
            sum += work[token];
            if (token == stop) {
                mask = new GrammarMask(grammar, vocabulary, masks);
            } else {
                mask.accept(token);
            }
        }
        return sum;
    }
}
