package ai.appliance.runtime.generation;

import ai.appliance.runtime.sampling.LogitsProcessor;
import ai.appliance.runtime.sampling.Sampler;
import java.util.Arrays;
import java.util.List;

/**
 * The state of one request while it generates: it turns each step's logits into the next
 * token, the text that became final, and whether (and why) the request is finished. It knows
 * nothing of how logits are computed, so the CLI (one sequence) and the server's batching
 * scheduler (many) drive it the same way:
 * <pre>
 *   var step = generation.next(logits);
 *   emit(step.text());
 *   if (!step.finished()) feed step.token() to the model
 * </pre>
 */
public final class Generation {
    private final GenerationSettings settings;
    private final Sampler sampler;
    private final TokenTextDecoder decoder;
    private final StopStringMatcher stops;
    private final int capacity;
    private final int promptLength;
    private final int[] context;
    private final StringBuilder text = new StringBuilder();
    private int length;
    private FinishReason finish;

    /**
     * @param prompt   the prompt tokens (already or about to be fed to the sequence)
     * @param capacity positions of the sequence; generation stops when the next token would not fit
     */
    public Generation(GenerationSettings settings, int[] prompt, int capacity, int vocabularySize, TokenTextDecoder decoder) {
        this(settings, prompt, capacity, vocabularySize, decoder, List.of());
    }

    /** @param processors this request's logits processors (token masks, watermark), run before each draw */
    public Generation(GenerationSettings settings, int[] prompt, int capacity, int vocabularySize, TokenTextDecoder decoder,
                      List<LogitsProcessor> processors) {
        if (prompt.length > capacity) {
            throw new IllegalArgumentException("the prompt has " + prompt.length + " tokens; the sequence holds " + capacity);
        }
        this.settings = settings;
        this.sampler = new Sampler(settings.sampler(), vocabularySize, processors);
        this.decoder = decoder;
        this.stops = new StopStringMatcher(settings.stopStrings());
        this.capacity = capacity;
        this.promptLength = prompt.length;
        this.context = Arrays.copyOf(prompt, Math.max(capacity, prompt.length) + 1);
        this.length = prompt.length;
    }

    /** Chooses the next token from the logits after the latest token, and accounts for it. */
    public Step next(float[] logits) {
        if (finish != null) throw new IllegalStateException("the generation already finished (" + finish + ")");
        int token = sampler.sample(logits, context, length);
        context[length++] = token;
        String delta;
        if (settings.stopTokens().contains(token)) {
            finish = FinishReason.EOS;
            delta = stops.flush();
        } else {
            delta = stops.append(decoder.decode(token));
            if (stops.matched()) {
                finish = FinishReason.STOP_STRING;
            } else if (generatedCount() >= settings.maxTokens()) {
                finish = FinishReason.MAX_TOKENS;
            } else if (length >= capacity) {
                finish = FinishReason.CONTEXT_LENGTH; // the sequence has no room to feed this token
            }
            if (finish != null && finish != FinishReason.STOP_STRING) delta = delta + stops.append(decoder.flush()) + stops.flush();
        }
        text.append(delta);
        return new Step(token, delta, finish);
    }

    /** Generated tokens so far, including a final stop token. */
    public int[] generatedTokens() {
        return Arrays.copyOfRange(context, promptLength, length);
    }

    public int generatedCount() {
        return length - promptLength;
    }

    /** The text emitted so far. */
    public String text() {
        return text.toString();
    }

    public boolean finished() {
        return finish != null;
    }

    /** Why it finished, or null while it runs. */
    public FinishReason finishReason() {
        return finish;
    }
}
