package ai.appliance.runtime.tokenizer;

import java.util.Set;

/**
 * Text to token ids and back, for one model's vocabulary.
 *
 * <p>{@link #encode(String)} never adds BOS: callers that build a prompt add {@link #bosId()} themselves when
 * {@link #addBos()} says so (chat templates usually write the BOS text themselves, which encodes to the id).
 * Special and added-token strings inside the text map to their ids, as Hugging Face does with added tokens.
 * Implementations are immutable and safe to share between threads.
 */
public interface Tokenizer {

    /** Token ids for {@code text}; special-token strings in the text become their ids. */
    default int[] encode(String text) {
        return encode(text, true);
    }

    /**
     * Token ids for {@code text}. With {@code parseSpecialTokens} false, strings of special (control) tokens are
     * encoded as ordinary text, so that untrusted text cannot inject control tokens; non-special added tokens
     * such as {@code <think>} still map to their ids.
     */
    int[] encode(String text, boolean parseSpecialTokens);

    /** The text of {@code ids}, special tokens included; bytes that do not form UTF-8 become U+FFFD. */
    default String decode(int[] ids) {
        var decoder = newStreamingDecoder();
        var out = new StringBuilder();
        for (int id : ids) out.append(decoder.push(id));
        return out.append(decoder.flush()).toString();
    }

    /** The text of {@code ids} without special (control) tokens such as BOS/EOS: what a user should see. */
    default String decodeSkippingSpecial(int[] ids) {
        var decoder = newStreamingDecoder(true);
        var out = new StringBuilder();
        for (int id : ids) out.append(decoder.push(id));
        return out.append(decoder.flush()).toString();
    }

    /** A decoder for one generated sequence: push ids one by one, print what it returns. */
    default StreamingDecoder newStreamingDecoder() {
        return newStreamingDecoder(false);
    }

    /** As {@link #newStreamingDecoder()}, optionally dropping special (control) tokens from the text. */
    default StreamingDecoder newStreamingDecoder(boolean skipSpecialTokens) {
        return new StreamingDecoder(id -> skipSpecialTokens && isSpecial(id) ? new byte[0] : tokenBytes(id), false);
    }

    /** The bytes one token stands for (the UTF-8 of its text for special tokens). */
    byte[] tokenBytes(int id);

    /** Number of token ids: valid ids are {@code 0 .. vocabularySize()-1}. */
    int vocabularySize();

    /** The token as stored in the vocabulary (byte-level or {@code ▁} form), for display and debugging. */
    String tokenText(int id);

    /** Looks a token up by its stored text; -1 when absent. */
    int tokenId(String tokenText);

    /** Beginning-of-sequence id, or -1 when the vocabulary has none. */
    int bosId();

    /** End-of-sequence id, or -1 when the vocabulary has none. */
    int eosId();

    /**
     * Ids that end a generated turn: EOS plus what the model files add (HF generation_config.json
     * {@code eos_token_id} lists, GGUF {@code eot_token_id}/{@code eom_token_id}).
     */
    default Set<Integer> endOfGenerationIds() {
        return eosId() < 0 ? Set.of() : Set.of(eosId());
    }

    /** Whether a prompt should start with {@link #bosId()} (HF add_bos_token, GGUF tokenizer.ggml.add_bos_token). */
    boolean addBos();

    /** Ids of special (control) tokens: never produced from ordinary text and usually hidden from users. */
    Set<Integer> specialIds();

    default boolean isSpecial(int id) {
        return specialIds().contains(id);
    }

    /**
     * Whether {@code id} is a placeholder slot of the vocabulary (GGUF token type "unused": padding entries up to the
     * model's size) that no text encodes to and no model should produce.
     */
    default boolean isUnused(int id) {
        return false;
    }
}
