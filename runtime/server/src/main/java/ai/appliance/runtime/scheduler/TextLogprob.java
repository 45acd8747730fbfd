package ai.appliance.runtime.scheduler;

import java.util.List;

/**
 * A generated token as the client sees it, with the model's log probability of it and of the likeliest alternatives.
 *
 * @param token   the token's text ({@code bytes:\xNN…} when its bytes are not whole UTF-8 characters)
 * @param bytes   the bytes the token stands for
 * @param logprob its log probability under the model's raw logits
 * @param top     the likeliest tokens at this step, most likely first (their own {@code top} lists are empty)
 */
public record TextLogprob(String token, byte[] bytes, double logprob, List<TextLogprob> top) {
    public TextLogprob {
        top = List.copyOf(top);
    }
}
