package ai.appliance.runtime.watermark;

import java.util.HashSet;

/**
 * Counts green tokens in a token sequence and turns the count into a z-score ({@link Detection}). It needs the key,
 * gamma and the context width that marked the text, and the tokenizer's ids of the text; not the model.
 *
 * <p>The first {@code context} tokens only seed the next step's list: the prompt that preceded the text is not
 * known here. By default a (context, token) pair is scored once, however often it occurs: repeated phrases would
 * otherwise count their green (or red) tokens again and again, which breaks the test's independence assumption and
 * lets repetitive unmarked text reach a high z (Kirchenbauer et al., "On the Reliability of Watermarks for Large
 * Language Models", 2023, recommend the same). {@code countRepeats} scores every token, as the first paper did.
 *
 * <p>One instance serves one thread.
 */
public final class WatermarkDetector {
    private final GreenList greenList;
    private final double gamma;
    private final boolean countRepeats;

    WatermarkDetector(GreenList greenList, double gamma, boolean countRepeats) {
        this.greenList = greenList;
        this.gamma = gamma;
        this.countRepeats = countRepeats;
    }

    /** The detection over {@code tokens} (token ids of the text, no BOS). */
    public Detection detect(int[] tokens) {
        int context = greenList.context();
        var seen = countRepeats ? null : new HashSet<Long>();
        int scored = 0;
        int green = 0;
        for (int i = context; i < tokens.length; i++) {
            long seed = greenList.seed(tokens, i);
            // The pair's 64-bit hash stands for the pair: a collision between two pairs of one text is ~2^-64 likely.
            if (seen != null && !seen.add(GreenList.hash(seed, tokens[i]))) {
                continue;
            }
            scored++;
            if (greenList.isGreen(seed, tokens[i])) {
                green++;
            }
        }
        return Detection.of(tokens.length, scored, green, gamma);
    }
}
