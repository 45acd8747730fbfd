package ai.appliance.runtime.models;

import ai.appliance.runtime.api.ApiException;
import ai.appliance.runtime.chat.ChatMessage;
import ai.appliance.runtime.chat.PromptFormat;
import ai.appliance.runtime.chat.ReasoningSplitter;
import ai.appliance.runtime.engine.LanguageModel;
import ai.appliance.runtime.generation.GenerationSettings;
import ai.appliance.runtime.generation.TokenTextDecoder;
import ai.appliance.runtime.loading.ModelFiles;
import ai.appliance.runtime.sampling.SamplerSettings;
import ai.appliance.runtime.scheduler.FinishReason;
import ai.appliance.runtime.scheduler.Generation;
import ai.appliance.runtime.scheduler.PromptTooLongException;
import ai.appliance.runtime.serving.InferenceRequest;
import ai.appliance.runtime.serving.LoadedModel;
import ai.appliance.runtime.tokenizer.Tokenizer;
import ai.appliance.runtime.engine.LanguageModel;
import ai.appliance.runtime.loading.LanguageModels;
import ai.appliance.runtime.watermark.Watermark;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A model version served by the engine: memory-mapped weights ({@link ModelFiles}), the transformer, its
 * tokenizer and prompt format. Each request gets the engine's own per-request
 * {@link ai.appliance.runtime.generation.Generation} (sampling, stop strings, max tokens, detokenization),
 * wrapped for the scheduler with the reasoning split on top. With a {@link Watermark}, every request's sampler marks
 * what it draws; log probabilities still come from the model's own logits.
 */
public final class EngineModel implements LoadedModel {


    private final String name;
    private final String version;
    private final boolean demo;
    private final ModelFiles files;
    private final LanguageModel transformer;
    private final Tokenizer tokenizer;
    private final PromptFormat format;
    private final Set<Integer> stopTokens;
    private final Watermark watermark;

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
        int[] prompt;
        ReasoningSplitter reasoning;
        if (request.kind() == InferenceRequest.Kind.CHAT) {
            var messages = request.messages().stream().map(m -> new ChatMessage(m.role(), m.content())).toList();
            String text;
            try {
                text = format.render(messages);
            } catch (RuntimeException e) {
                throw ApiException.invalid("messages", "the chat template rejected these messages: " + e.getMessage());
            }
            prompt = format.encodePrompt(text);
            reasoning = format.reasoningSplitter(text);
        } else {
            // A raw prompt is the client's own text: control-token strings in it stay plain text.
            var body = tokenizer.encode(request.prompt(), false);
            prompt = body;
            if (tokenizer.addBos() && tokenizer.bosId() >= 0) {
                prompt = new int[body.length + 1];
                prompt[0] = tokenizer.bosId();
                System.arraycopy(body, 0, prompt, 1, body.length);
            }
            reasoning = null;
        }
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
                }, watermark == null ? List.of() : List.of(watermark.newProcessor()));
        var logprobs = request.wantsLogprobs() ? new LogprobTexts(tokenizer, request.topLogprobs()) : null;
        return new EngineGeneration(prompt, generation, reasoning, logprobs);
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
        private final LogprobTexts logprobs;

        /**
         * @param reasoning null for raw completions: all text is answer
         * @param logprobs  null when the request did not ask for log probabilities
         */
        EngineGeneration(int[] prompt, ai.appliance.runtime.generation.Generation generation, ReasoningSplitter reasoning,
                         LogprobTexts logprobs) {
            this.prompt = prompt;
            this.generation = generation;
            this.reasoning = reasoning;
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
            if (step.finish() == null) {
                return new Step(step.token(), split.content(), split.reasoning(), null, logprob);
            }
            var rest = flush();
            return new Step(step.token(), split.content() + rest.content(), split.reasoning() + rest.reasoning(),
                    new FinishReason.Completed(step.finish()), logprob);
        }

        @Override
        public Step finish(FinishReason reason) {
            var rest = flush();
            return new Step(-1, rest.content(), rest.reasoning(), reason);
        }

        private ReasoningSplitter.Delta flush() {
            return reasoning == null ? ReasoningSplitter.Delta.EMPTY : reasoning.finish();
        }
    }
}
