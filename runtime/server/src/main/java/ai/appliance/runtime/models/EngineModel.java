package ai.appliance.runtime.models;

import ai.appliance.runtime.api.ApiException;
import ai.appliance.runtime.chat.ChatMessage;
import ai.appliance.runtime.chat.PromptFormat;
import ai.appliance.runtime.chat.ReasoningSplitter;
import ai.appliance.runtime.chat.ToolDefinition;
import ai.appliance.runtime.engine.LanguageModel;
import ai.appliance.runtime.generation.GenerationSettings;
import ai.appliance.runtime.generation.TokenTextDecoder;
import ai.appliance.runtime.grammar.GrammarCache;
import ai.appliance.runtime.grammar.GrammarMask;
import ai.appliance.runtime.grammar.MaskCache;
import ai.appliance.runtime.grammar.Rule;
import ai.appliance.runtime.grammar.VocabularyTrie;
import ai.appliance.runtime.loading.LanguageModels;
import ai.appliance.runtime.loading.ModelFiles;
import ai.appliance.runtime.sampling.LogitsProcessor;
import ai.appliance.runtime.sampling.SamplerSettings;
import ai.appliance.runtime.scheduler.FinishReason;
import ai.appliance.runtime.scheduler.Generation;
import ai.appliance.runtime.scheduler.PromptTooLongException;
import ai.appliance.runtime.scheduler.ToolCallDelta;
import ai.appliance.runtime.serving.InferenceRequest;
import ai.appliance.runtime.serving.LoadedModel;
import ai.appliance.runtime.tokenizer.Tokenizer;
import ai.appliance.runtime.engine.LanguageModel;
import ai.appliance.runtime.loading.LanguageModels;
import ai.appliance.runtime.watermark.Watermark;
import ai.appliance.runtime.tools.ToolCallParser;
import ai.appliance.runtime.tools.ToolCallSyntax;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * A model version served by the engine: memory-mapped weights ({@link ModelFiles}), the transformer, its
 * tokenizer and prompt format. Each request gets the engine's own per-request
 * {@link ai.appliance.runtime.generation.Generation} (sampling, stop strings, max tokens, detokenization, and the
 * request's logits processors: a grammar's token mask for structured output and forced tool calls, and with a
 * {@link Watermark} the mark on what it draws; log probabilities still come from the model's own logits), wrapped for
 * the scheduler with the reasoning split and the tool-call parser on top.
 */
public final class EngineModel implements LoadedModel {
    /**
     * Heap the token masks of this model may hold: a mask is one bit per vocabulary entry (19 KiB for Qwen2's 152k),
     * so this keeps about 1,700 grammar states' masks, plenty for the schemas in use at one time.
     */
    static final long MASK_CACHE_BYTES = 32L << 20;
    /** Compiled grammars kept for reuse (schemas, tool sets). */
    static final int GRAMMAR_CACHE_ENTRIES = 256;

    private final String name;
    private final String version;
    private final boolean demo;
    private final ModelFiles files;
    private final LanguageModel transformer;
    private final Tokenizer tokenizer;
    private final PromptFormat format;
    private final Set<Integer> stopTokens;
    private final Watermark watermark;
    private final Optional<ToolCallSyntax> toolSyntax;
    private final AnswerGrammar grammars = new AnswerGrammar(new GrammarCache(GRAMMAR_CACHE_ENTRIES));
    private final MaskCache masks = new MaskCache(MASK_CACHE_BYTES);
    /** Built at the first request that needs token masks (a second or so for a 152k vocabulary). */
    private VocabularyTrie vocabulary;

    private EngineModel(String name, String version, boolean demo, ModelFiles files, LanguageModel transformer,
                        Tokenizer tokenizer, PromptFormat format, Watermark watermark) {
        this.name = name;
        this.version = version;
        this.demo = demo;
        this.files = files;
        this.transformer = transformer;
        this.tokenizer = tokenizer;
        this.format = format;
        this.watermark = watermark;
        var stops = new HashSet<Integer>();
        if (tokenizer.eosId() >= 0) {
            stops.add(tokenizer.eosId());
        }
        int endOfSentence = tokenizer.tokenId("<｜end▁of▁sentence｜>");
        if (endOfSentence >= 0) {
            stops.add(endOfSentence);
        }
        this.stopTokens = Set.copyOf(stops);
        this.toolSyntax = ToolCallSyntax.of(format.template().source());
    }

    /**
     * Opens {@code source} (GGUF file or checkpoint folder) with its tokenizer and chat template.
     *
     * @throws ai.appliance.runtime.model.ModelFormatException naming the file when it cannot be used
     */
    public static EngineModel open(Path source, String name, String version, boolean demo, String backend, int threads) {
        return open(source, name, version, demo, backend, threads, null);
    }

    /**
     * As {@link #open(Path, String, String, boolean, String, int)}, marking every answer with {@code watermark}.
     *
     * @param watermark null: answers are not marked
     */
    public static EngineModel open(Path source, String name, String version, boolean demo, String backend, int threads,
                                   Watermark watermark) {
        var files = ModelFiles.open(source, ai.appliance.provisioning.weights.EncryptedWeightSource.withoutKeys());
        try {
            var format = files.format() == ModelFiles.Format.GGUF
                    ? PromptFormat.fromGguf(source, files.gguf().metadata())
                    : PromptFormat.load(files.checkpointFolder());
            var transformer = LanguageModels.open(files, backend, threads);
            return new EngineModel(name, version, demo, files, transformer, format.tokenizer(), format, watermark);
        } catch (RuntimeException e) {
            files.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public boolean demo() {
        return demo;
    }

    @Override
    public LanguageModel engine() {
        return transformer;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public Generation start(InferenceRequest request) {
        var tools = request.tools();
        ToolCallSyntax syntax = null;
        if (tools.active()) {
            syntax = toolSyntax.orElseThrow(() -> ApiException.invalid("tools", "the chat template of model " + name
                    + " cannot show tool calls and their results to the model, so it takes no tools; leave tools"
                    + " out or set tool_choice to none"));
        }
        var grammar = grammars.of(request, syntax);
        var rendered = request.kind() == InferenceRequest.Kind.CHAT ? chatPrompt(request, syntax, grammar != null)
                : rawPrompt(request);
        int[] prompt = rendered.tokens();
        var reasoning = rendered.reasoning();
        if (prompt.length == 0) {
            throw ApiException.invalid("prompt", "the prompt is empty");
        }
        int context = transformer.config().contextLength();
        if (prompt.length >= context) {
            throw new PromptTooLongException(prompt.length, context);
        }
        // Same capacity as the scheduler gives the sequence, so both stop at the same place.
        int capacity = (int) Math.min(context, (long) prompt.length + request.maxTokens());
        var s = request.sampling();
        SamplerSettings sampler;
        try {
            sampler = SamplerSettings.builder().temperature(s.temperature()).topP(s.topP()).topK(s.topK())
                    .presencePenalty(s.presencePenalty()).frequencyPenalty(s.frequencyPenalty())
                    .seed(s.seed()).build();
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(null, e.getMessage());
        }
        var settings = new GenerationSettings(sampler, request.maxTokens(), request.stop(), stopTokens);
        var decoder = tokenizer.newStreamingDecoder();
        var generation = new ai.appliance.runtime.generation.Generation(settings, prompt, capacity,
                transformer.config().vocabularySize(), new TokenTextDecoder() {
                    @Override
                    public String decode(int token) {
                        return decoder.push(token);
                    }

                    @Override
                    public String flush() {
                        return decoder.flush();
                    }
                }, processors(grammar));
        var logprobs = request.wantsLogprobs() ? new LogprobTexts(tokenizer, request.topLogprobs()) : null;
        var calls = syntax == null ? null : syntax.newParser();
        return new EngineGeneration(prompt, generation, reasoning, calls, logprobs);
    }

    /**
     * A prompt's tokens and the splitter of the answer that follows it.
     *
     * @param reasoning null for raw completions: all text is answer
     */
    private record Prompt(int[] tokens, ReasoningSplitter reasoning) {
    }

    /**
     * The conversation through the chat template, with the tools shown when the request offers them.
     *
     * @param syntax      the template's tool-call syntax when the request's tools are active, else null
     * @param constrained whether a grammar holds the answer
     */
    private Prompt chatPrompt(InferenceRequest request, ToolCallSyntax syntax, boolean constrained) {
        var shown = syntax == null ? List.<ToolDefinition>of() : request.tools().tools();
        var messages = new ArrayList<ChatMessage>();
        for (var m : request.messages()) {
            messages.add(new ChatMessage(m.role(), m.content(), m.toolCalls(), m.toolCallId()));
        }
        if (syntax != null) {
            syntax.systemPrompt(shown).ifPresent(text -> withSystemText(messages, text));
        }
        String text;
        try {
            text = format.render(messages, shown);
        } catch (RuntimeException e) {
            throw ApiException.invalid("messages", "the chat template rejected these messages: " + e.getMessage());
        }
        var reasoning = format.reasoningSplitter(text);
        if (constrained && reasoning.inReasoning()) {
            // The grammar holds the answer, and reasoning it cannot bound could use up max_tokens before the
            // answer starts: the reasoning block is closed in the prompt, so the model answers at once.
            text = text + ReasoningSplitter.CLOSE + "\n\n";
            reasoning = format.reasoningSplitter(text);
        }
        return new Prompt(format.encodePrompt(text), reasoning);
    }

    /** A raw prompt is the client's own text: control-token strings in it stay plain text. */
    private Prompt rawPrompt(InferenceRequest request) {
        var body = tokenizer.encode(request.prompt(), false);
        if (!tokenizer.addBos() || tokenizer.bosId() < 0) {
            return new Prompt(body, null);
        }
        var prompt = new int[body.length + 1];
        prompt[0] = tokenizer.bosId();
        System.arraycopy(body, 0, prompt, 1, body.length);
        return new Prompt(prompt, null);
    }

    /** The request's logits processors, in the order they run before each draw. */
    private List<LogitsProcessor> processors(Rule grammar) {
        var processors = new ArrayList<LogitsProcessor>();
        if (grammar != null) {
            processors.add(new GrammarMask(grammar, vocabulary(), masks));
        }
        if (watermark != null) {
            // After the mask: the bias only reorders tokens the grammar allows.
            processors.add(watermark.newProcessor());
        }
        return processors;
    }

    private synchronized VocabularyTrie vocabulary() {
        if (vocabulary == null) {
            vocabulary = VocabularyTrie.of(tokenizer, transformer.config().vocabularySize(), stopTokens);
        }
        return vocabulary;
    }

    /** Adds {@code text} to the (first) system message, or starts the conversation with one. */
    private static void withSystemText(List<ChatMessage> messages, String text) {
        for (int i = 0; i < messages.size(); i++) {
            var m = messages.get(i);
            if (m.role().equals("system")) {
                var content = m.content() == null || m.content().isEmpty() ? text : m.content() + "\n\n" + text;
                messages.set(i, new ChatMessage("system", content, m.toolCalls(), m.toolCallId()));
                return;
            }
        }
        messages.addFirst(ChatMessage.system(text));
    }

    @Override
    public void close() {
        transformer.close();
        files.close();
    }

    /** The engine's generation seen through the scheduler's interface. */
    private static final class EngineGeneration implements Generation {
        private final int[] prompt;
        private final ai.appliance.runtime.generation.Generation generation;
        private final ReasoningSplitter reasoning;
        private final ToolCallParser calls;
        private final LogprobTexts logprobs;

        /**
         * @param reasoning null for raw completions: all text is answer
         * @param calls     null when the request offers no tools: all answer text is content
         * @param logprobs  null when the request did not ask for log probabilities
         */
        EngineGeneration(int[] prompt, ai.appliance.runtime.generation.Generation generation, ReasoningSplitter reasoning,
                         ToolCallParser calls, LogprobTexts logprobs) {
            this.prompt = prompt;
            this.generation = generation;
            this.reasoning = reasoning;
            this.calls = calls;
            this.logprobs = logprobs;
        }

        @Override
        public int[] promptTokens() {
            return prompt;
        }

        @Override
        public Step next(float[] logits) {
            // The sampler leaves the logits as they are: these are still the model's raw ones afterwards.
            var step = generation.next(logits);
            var split = reasoning == null ? new ReasoningSplitter.Delta("", step.text()) : reasoning.push(step.text());
            // Like completion_tokens, log probabilities leave out a stop token and the token that completed a stop string.
            var logprob = logprobs != null && (step.finish() == null || step.finish().byLimit())
                    ? logprobs.of(logits, step.token()) : null;
            var answer = answer(split.content());
            if (step.finish() == null) {
                return new Step(step.token(), answer.content(), split.reasoning(), toDeltas(answer), null, logprob);
            }
            var rest = flush();
            var restAnswer = answer(rest.content());
            var end = calls == null ? ToolCallParser.Output.EMPTY : calls.finish();
            var deltas = new ArrayList<>(toDeltas(answer));
            deltas.addAll(toDeltas(restAnswer));
            deltas.addAll(toDeltas(end));
            FinishReason reason = !step.finish().byLimit() && calls != null && calls.calls() > 0
                    ? new FinishReason.ToolCalls() : new FinishReason.Completed(step.finish());
            return new Step(step.token(), answer.content() + restAnswer.content() + end.content(),
                    split.reasoning() + rest.reasoning(), deltas, reason, logprob);
        }

        @Override
        public Step finish(FinishReason reason) {
            var rest = flush();
            var answer = answer(rest.content());
            var end = calls == null ? ToolCallParser.Output.EMPTY : calls.finish();
            var deltas = new ArrayList<>(toDeltas(answer));
            deltas.addAll(toDeltas(end));
            return new Step(-1, answer.content() + end.content(), rest.reasoning(), deltas, reason, null);
        }

        private ReasoningSplitter.Delta flush() {
            return reasoning == null ? ReasoningSplitter.Delta.EMPTY : reasoning.finish();
        }

        /** Answer text through the tool-call parser (when the request offers tools). */
        private ToolCallParser.Output answer(String content) {
            if (calls == null || content.isEmpty()) {
                return new ToolCallParser.Output(content, List.of());
            }
            return calls.push(content);
        }

        /** The client's pieces: a call's first piece gets its id. */
        private List<ToolCallDelta> toDeltas(ToolCallParser.Output output) {
            if (output.calls().isEmpty()) {
                return List.of();
            }
            var out = new ArrayList<ToolCallDelta>();
            for (var chunk : output.calls()) {
                var id = chunk.name() == null ? null : "call_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
                out.add(new ToolCallDelta(chunk.index(), id, chunk.name(), chunk.arguments()));
            }
            return out;
        }
    }
}
