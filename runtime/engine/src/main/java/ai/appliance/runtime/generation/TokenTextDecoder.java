package ai.appliance.runtime.generation;

/**
 * Streaming detokenization: turns generated tokens into text as it becomes complete (a UTF-8
 * character may span several byte tokens). One decoder per generation; the tokenizer provides it.
 */
public interface TokenTextDecoder {

    /** The text that token completes; empty while a character is still incomplete. */
    String decode(int token);

    /** Whatever is still held back (an incomplete character at the end), rendered as best it can. */
    String flush();
}
