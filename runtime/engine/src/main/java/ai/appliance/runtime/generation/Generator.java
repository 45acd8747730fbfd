package ai.appliance.runtime.generation;

import ai.appliance.runtime.engine.ContextOverflowException;
import ai.appliance.runtime.engine.LanguageModel;
import ai.appliance.runtime.sampling.LogitsProcessor;
import java.util.List;

/** Generates for one prompt on a fresh sequence of a {@link LanguageModel}: the CLI's one-shot loop. */
public final class Generator {
    private final LanguageModel model;

    public Generator(LanguageModel model) {
        this.model = model;
    }

    /** The generated tokens, the text and why it stopped. */
    public record Result(int[] tokens, String text, FinishReason finishReason, int promptTokens) {
    }

    /** Receives prompt-processing progress (tokens done of total) and each generated step. */
    public interface Listener {
        default void promptProgress(int done, int total) {
        }

        void step(Step step);
    }

    /**
     * Runs the prompt, then samples until the settings say stop.
     *
     * @param contextLimit most positions the sequence may use (at most the model's context length)
     * @throws ContextOverflowException when the prompt alone does not fit in {@code contextLimit}
     */
    public Result generate(int[] prompt, GenerationSettings settings, TokenTextDecoder decoder, int contextLimit,
                           Listener listener) {
        return generate(prompt, settings, List.of(), decoder, contextLimit, listener);
    }

    /** As {@link #generate(int[], GenerationSettings, TokenTextDecoder, int, Listener)}, with logits processors. */
    public Result generate(int[] prompt, GenerationSettings settings, List<LogitsProcessor> processors,
                           TokenTextDecoder decoder, int contextLimit, Listener listener) {
        if (prompt.length == 0) throw new IllegalArgumentException("the prompt is empty");
        int limit = Math.min(contextLimit, model.config().contextLength());
        if (prompt.length > limit) throw new ContextOverflowException(0, prompt.length, limit);
        int capacity = (int) Math.min(limit, (long) prompt.length + settings.maxTokens());
        try (var conversation = new Conversation(model, capacity)) {
            return conversation.generate(prompt, settings, processors, decoder, listener);
        }
    }
}
