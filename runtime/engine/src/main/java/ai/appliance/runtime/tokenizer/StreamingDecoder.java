package ai.appliance.runtime.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.IntFunction;

/**
 * Turns generated ids into printable text one token at a time. A UTF-8 character split across tokens is held
 * back until it is complete, so a stream never shows U+FFFD for text that decodes cleanly as a whole; bytes that
 * can never complete a character are released as U+FFFD, exactly as {@link Tokenizer#decode} would. Not
 * thread-safe: one per sequence.
 */
public final class StreamingDecoder {
    private final IntFunction<byte[]> tokenBytes;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private boolean stripLeadingSpace;

    /**
     * @param stripLeadingSpace remove one space at the very start of the output (SentencePiece vocabularies
     *                          whose encoder adds a space prefix)
     */
    public StreamingDecoder(IntFunction<byte[]> tokenBytes, boolean stripLeadingSpace) {
        this.tokenBytes = tokenBytes;
        this.stripLeadingSpace = stripLeadingSpace;
    }

    /** Adds one token; returns the text that became complete (possibly empty). */
    public String push(int id) {
        pending.writeBytes(tokenBytes.apply(id));
        var bytes = pending.toByteArray();
        int hold = Utf8.incompleteTailLength(bytes, bytes.length);
        int ready = bytes.length - hold;
        if (ready == 0) return "";
        pending.reset();
        pending.write(bytes, ready, hold);
        return emit(new String(bytes, 0, ready, StandardCharsets.UTF_8));
    }

    /** Releases whatever is held (an unfinished character becomes U+FFFD); the decoder can be reused after. */
    public String flush() {
        var bytes = pending.toByteArray();
        pending.reset();
        return bytes.length == 0 ? "" : emit(new String(bytes, StandardCharsets.UTF_8));
    }

    private String emit(String text) {
        if (stripLeadingSpace && !text.isEmpty()) {
            stripLeadingSpace = false;
            if (text.charAt(0) == ' ') return text.substring(1);
        }
        return text;
    }
}
