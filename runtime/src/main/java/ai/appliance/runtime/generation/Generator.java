package ai.appliance.runtime.generation;

import ai.appliance.runtime.engine.ContextOverflowException;
import ai.appliance.runtime.engine.LanguageModel;
import ai.appliance.runtime.engine.Sequence;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/** Generates for one prompt on one sequence of a {@link LanguageModel}: the CLI's loop. */
public final class Generator {
    /** Prompt tokens per forward call, so that long prompts can report progress. */
    private static final int PROMPT_PIECE = 256;

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

        static Listener ofSteps(Consumer<Step> steps) {
            return steps::accept;
        }
    }

    /**
     * Runs the prompt, then samples until the settings say stop.
     *
     * @param contextLimit most positions the sequence may use (at most the model's context length)
     * @throws ContextOverflowException when the prompt alone does not fit in {@code contextLimit}
     */
    public Result generate(int[] prompt, GenerationSettings settings, TokenTextDecoder decoder, int contextLimit,
                           Listener listener) {
        if (prompt.length == 0) throw new IllegalArgumentException("the prompt is empty");
        int limit = Math.min(contextLimit, model.config().contextLength());
        if (prompt.length > limit) throw new ContextOverflowException(0, prompt.length, limit);
        int capacity = (int) Math.min(limit, (long) prompt.length + settings.maxTokens());
        try (var sequence = model.newSequence(capacity)) {
            var generation = new Generation(settings, prompt, capacity, model.config().vocabularySize(), decoder);
            float[] logits = feedPrompt(sequence, prompt, listener);
            while (true) {
                var step = generation.next(logits);
                listener.step(step);
                if (step.finished()) break;
                logits = model.forward(List.of(sequence), List.of(new int[] {step.token()}))[0];
            }
            return new Result(generation.generatedTokens(), generation.text(), generation.finishReason(), prompt.length);
        }
    }

    private float[] feedPrompt(Sequence sequence, int[] prompt, Listener listener) {
        float[] logits = null;
        for (int from = 0; from < prompt.length; from += PROMPT_PIECE) {
            int to = Math.min(prompt.length, from + PROMPT_PIECE);
            logits = model.forward(List.of(sequence), List.of(Arrays.copyOfRange(prompt, from, to)))[0];
            listener.promptProgress(to, prompt.length);
        }
        return logits;
    }
}
