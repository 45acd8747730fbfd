package ai.appliance.runtime.generation;

import ai.appliance.runtime.engine.ContextOverflowException;
import ai.appliance.runtime.engine.LanguageModel;
import ai.appliance.runtime.engine.Sequence;
import ai.appliance.runtime.sampling.LogitsProcessor;
import java.util.Arrays;
import java.util.List;

/**
 * One sequence reused across prompts that extend each other (the turns of a chat): each prompt
 * recomputes only what differs from the tokens already in the KV cache.
 */
public final class Conversation implements AutoCloseable {
    /** Prompt tokens per forward call, so that long prompts can report progress. */
    private static final int PROMPT_PIECE = 256;

    private final LanguageModel model;
    private final Sequence sequence;
    private final int[] cached;
    private int cachedLength;

    /** @param capacity positions of the sequence's KV cache (allocated now, once) */
    public Conversation(LanguageModel model, int capacity) {
        this.model = model;
        this.sequence = model.newSequence(capacity);
        this.cached = new int[capacity];
    }

    public int capacity() {
        return sequence.capacity();
    }

    /**
     * Runs {@code prompt} (reusing the cached prefix it shares with earlier prompts and answers), then
     * samples until the settings say stop.
     *
     * @throws ContextOverflowException when the prompt alone does not fit in the sequence
     */
    public Generator.Result generate(int[] prompt, GenerationSettings settings, TokenTextDecoder decoder,
                                     Generator.Listener listener) {
        return generate(prompt, settings, List.of(), decoder, listener);
    }

    /**
     * As {@link #generate(int[], GenerationSettings, TokenTextDecoder, Generator.Listener)}, with logits processors
     * (a watermark) that serve this answer only.
     */
    public Generator.Result generate(int[] prompt, GenerationSettings settings, List<LogitsProcessor> processors,
                                     TokenTextDecoder decoder, Generator.Listener listener) {
        if (prompt.length == 0) throw new IllegalArgumentException("the prompt is empty");
        if (prompt.length > capacity()) throw new ContextOverflowException(0, prompt.length, capacity());
        // Keep the shared prefix, but always feed at least one token: its logits start the answer.
        int keep = 0;
        int limit = Math.min(cachedLength, prompt.length - 1);
        while (keep < limit && cached[keep] == prompt[keep]) keep++;
        sequence.truncate(keep);
        cachedLength = keep;
        var generation = new Generation(settings, prompt, capacity(), model.config().vocabularySize(), decoder, processors);
        float[] logits = null;
        for (int from = keep; from < prompt.length; from += PROMPT_PIECE) {
            int to = Math.min(prompt.length, from + PROMPT_PIECE);
            logits = feed(Arrays.copyOfRange(prompt, from, to));
            listener.promptProgress(to, prompt.length);
        }
        while (true) {
            var step = generation.next(logits);
            listener.step(step);
            if (step.finished()) break;
            logits = feed(new int[] {step.token()});
        }
        return new Generator.Result(generation.generatedTokens(), generation.text(), generation.finishReason(), prompt.length);
    }

    private float[] feed(int[] tokens) {
        var logits = model.forward(List.of(sequence), List.of(tokens))[0];
        System.arraycopy(tokens, 0, cached, cachedLength, tokens.length);
        cachedLength += tokens.length;
        return logits;
    }

    @Override
    public void close() {
        sequence.close();
    }
}
