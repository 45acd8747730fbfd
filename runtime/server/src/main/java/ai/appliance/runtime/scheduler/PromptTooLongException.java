package ai.appliance.runtime.scheduler;

/** The prompt alone fills the model's context, leaving no room to generate. */
public final class PromptTooLongException extends RuntimeException {

    private final int promptTokens;

    public PromptTooLongException(int promptTokens, int contextLength) {
        super("the prompt has " + promptTokens + " tokens but the model's context holds " + contextLength
                + "; shorten the prompt");
        this.promptTokens = promptTokens;
    }

    /** The prompt's length: routing by prompt length still needs it when a local model cannot take the prompt. */
    public int promptTokens() {
        return promptTokens;
    }
}
