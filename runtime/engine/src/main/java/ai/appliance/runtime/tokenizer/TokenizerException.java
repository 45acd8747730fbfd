package ai.appliance.runtime.tokenizer;

/** A tokenizer or chat template could not be loaded or used; the message names the file and the problem. */
public class TokenizerException extends RuntimeException {
    public TokenizerException(String message) {
        super(message);
    }

    public TokenizerException(String message, Throwable cause) {
        super(message, cause);
    }
}
