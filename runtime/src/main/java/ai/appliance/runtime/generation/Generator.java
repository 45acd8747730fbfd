package ai.appliance.runtime.generation;

import ai.appliance.runtime.engine.ContextOverflowException;
import ai.appliance.runtime.engine.LanguageModel;
import java.util.List;
import java.util.function.Consumer;

/** Generates for one prompt on one sequence of a {@link LanguageModel}: the CLI's loop. */
public final class Generator {
    private final LanguageModel model;

    public Generator(LanguageModel model) {
        this.model = model;
    }

    /** The generated tokens, the text and why it stopped. */
    public record Result(int[] tokens, String text, FinishReason finishReason, int promptTokens) {
    }

    /**
     * Runs the prompt, then samples until the settings say stop.
     *
     * @param contextLimit most positions the sequence may use (at most the model's context length)
     * @param onStep       receives every step, for streaming
     * @throws ContextOverflowException when the prompt alone does not fit in {@code contextLimit}
     */
    public Result generate(int[] prompt, GenerationSettings settings, TokenTextDecoder decoder, int contextLimit,
                           Consumer<Step> onStep) {
        if (prompt.length == 0) throw new IllegalArgumentException("the prompt is empty");
        int limit = Math.min(contextLimit, model.config().contextLength());
        if (prompt.length > limit) throw new ContextOverflowException(0, prompt.length, limit);
        int capacity = (int) Math.min(limit, (long) prompt.length + settings.maxTokens());
        try (var sequence = model.newSequence(capacity)) {
            var generation = new Generation(settings, prompt, capacity, model.config().vocabularySize(), decoder);
            float[] logits = model.forward(List.of(sequence), List.of(prompt))[0];
            while (true) {
                var step = generation.next(logits);
                onStep.accept(step);
                if (step.finished()) break;
                logits = model.forward(List.of(sequence), List.of(new int[] {step.token()}))[0];
            }
            return new Result(generation.generatedTokens(), generation.text(), generation.finishReason(), prompt.length);
        }
    }
}
