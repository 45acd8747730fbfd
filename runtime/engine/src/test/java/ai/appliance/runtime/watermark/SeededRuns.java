package ai.appliance.runtime.watermark;

import ai.appliance.runtime.engine.LanguageModel;
import ai.appliance.runtime.engine.Sequence;
import ai.appliance.runtime.generation.Generation;
import ai.appliance.runtime.generation.GenerationSettings;
import ai.appliance.runtime.generation.TokenTextDecoder;
import ai.appliance.runtime.sampling.LogProbabilities;
import ai.appliance.runtime.sampling.LogitsProcessor;
import ai.appliance.runtime.sampling.SamplerSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/**
 * Many seeded answers of a fixed length, generated side by side through the engine's own {@link Generation} (so
 * through the sampler and its processors) with one batched forward pass per step for all of them: the weights are
 * read once per step, which keeps dozens of runs of 200 tokens within seconds on the small models. The runs' draws
 * of one step are independent, so they are made in parallel.
 */
final class SeededRuns {
    private static final TokenTextDecoder NO_TEXT = new TokenTextDecoder() {
        @Override
        public String decode(int token) {
            return "";
        }

        @Override
        public String flush() {
            return "";
        }
    };

    /**
     * One run's tokens and how likely the model found them.
     *
     * @param modelLogprob Σ log p(token) under the model's own distribution (its raw logits, before any processor);
     *                     NaN when not asked for
     */
    record Run(int[] tokens, double modelLogprob) {
        /** exp(−mean log p): the model's perplexity on its own output. */
        double perplexity() {
            return Math.exp(-modelLogprob / tokens.length);
        }
    }

    private SeededRuns() {
    }

    /**
     * Run {@code i} continues {@code prompts[i % prompts.size()]} for exactly {@code length} tokens (no stop token)
     * at temperature 1 with nothing cut off (no top-k, top-p or min-p), seed {@code i}.
     *
     * @param processors run i's logits processors
     * @param logprobs   whether to add up the model's log probabilities of the drawn tokens (a second pass over the
     *                   vocabulary per token, which a 152k vocabulary makes noticeable)
     */
    static List<Run> generate(LanguageModel model, List<int[]> prompts, int runs, int length,
                              IntFunction<List<LogitsProcessor>> processors, boolean logprobs) {
        var sequences = new ArrayList<Sequence>();
        var generations = new ArrayList<Generation>();
        var feed = new ArrayList<int[]>();
        var sums = new double[runs];
        if (!logprobs) java.util.Arrays.fill(sums, Double.NaN);
        try {
            for (int i = 0; i < runs; i++) {
                var prompt = prompts.get(i % prompts.size());
                int capacity = prompt.length + length;
                sequences.add(model.newSequence(capacity));
                var sampler = SamplerSettings.builder().temperature(1).topP(1).topK(0).minP(0).seed((long) i).build();
                var settings = new GenerationSettings(sampler, length, List.of(), Set.of());
                generations.add(new Generation(settings, prompt, capacity, model.config().vocabularySize(), NO_TEXT,
                        processors.apply(i)));
                feed.add(prompt);
            }
            var next = new int[runs][1];
            for (int step = 0; step < length; step++) {
                var logits = model.forward(sequences, feed);
                IntStream.range(0, runs).parallel().forEach(i -> {
                    int token = generations.get(i).next(logits[i]).token();
                    if (logprobs) sums[i] += LogProbabilities.of(logits[i], token, 0).logprob();
                    next[i] = new int[] {token};
                });
                feed.clear();
                feed.addAll(List.of(next));
            }
            return IntStream.range(0, runs).mapToObj(i -> new Run(generations.get(i).generatedTokens(), sums[i])).toList();
        } finally {
            sequences.forEach(Sequence::close);
        }
    }
}
