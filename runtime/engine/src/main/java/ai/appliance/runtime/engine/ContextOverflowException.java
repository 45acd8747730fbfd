package ai.appliance.runtime.engine;

/** A sequence would grow past the positions its KV cache holds (or past the model's context). */
public final class ContextOverflowException extends RuntimeException {
    public ContextOverflowException(int length, int adding, int capacity) {
        super("the prompt and generated tokens need " + (length + adding) + " positions but the context holds "
                + capacity + "; shorten the prompt or lower max tokens");
    }
}
