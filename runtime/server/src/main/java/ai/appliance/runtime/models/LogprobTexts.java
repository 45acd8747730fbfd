package ai.appliance.runtime.models;

import ai.appliance.runtime.sampling.LogProbabilities;
import ai.appliance.runtime.scheduler.TextLogprob;
import ai.appliance.runtime.tokenizer.Tokenizer;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;

/**
 * The log probabilities of one step in the client's terms: each token as its text and bytes. A byte-level token that
 * holds only part of a UTF-8 character is written {@code bytes:\xNN…}, as OpenAI writes such tokens.
 */
final class LogprobTexts {
    private final Tokenizer tokenizer;
    private final int top;

    /** @param top likeliest alternatives per step (0 to 20) */
    LogprobTexts(Tokenizer tokenizer, int top) {
        this.tokenizer = tokenizer;
        this.top = top;
    }

    /** {@code token}'s log probability under the raw {@code logits}, with the alternatives. */
    TextLogprob of(float[] logits, int token) {
        var result = LogProbabilities.of(logits, token, top);
        var alternatives = new ArrayList<TextLogprob>(result.topTokens().length);
        for (int i = 0; i < result.topTokens().length; i++) {
            alternatives.add(text(result.topTokens()[i], result.topLogprobs()[i]));
        }
        var chosen = text(token, result.logprob());
        return new TextLogprob(chosen.token(), chosen.bytes(), chosen.logprob(), alternatives);
    }

    private TextLogprob text(int token, double logprob) {
        byte[] bytes = tokenizer.tokenBytes(token);
        return new TextLogprob(label(bytes), bytes, logprob, java.util.List.of());
    }

    static String label(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            var out = new StringBuilder("bytes:");
            for (byte b : bytes) out.append(String.format("\\x%02x", b & 0xff));
            return out.toString();
        }
    }
}
