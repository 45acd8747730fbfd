package ai.appliance.runtime.generation;

/**
 * What one generation step produced.
 *
 * @param token  the chosen token
 * @param text   text that became final with this step (may be empty: held back as a possible stop string
 *               start, an incomplete character, or a stop token)
 * @param finish why the generation ended with this step, or null when it goes on
 */
public record Step(int token, String text, FinishReason finish) {
    public boolean finished() {
        return finish != null;
    }
}
