package ai.appliance.runtime.scheduler;

/** The prompt alone fills the model's context, leaving no room to generate. */
public final class PromptTooLongException extends RuntimeException {
    public PromptTooLongException(int promptTokens, int contextLength) {
        super("the prompt has " + promptTokens + " tokens but the model's context holds " + contextLength
                + "; shorten the prompt");
    }
}
