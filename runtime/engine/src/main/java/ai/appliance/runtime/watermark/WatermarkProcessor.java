package ai.appliance.runtime.watermark;

import ai.appliance.runtime.sampling.LogitsProcessor;

/**
 * Marks one sequence's output: before each draw, the green tokens of that step (seeded by the preceding tokens)
 * get {@code delta} added to their logits, so the sampler picks green tokens more often than their share
 * {@code gamma}, which {@link WatermarkDetector} measures. A step with fewer preceding tokens than the context
 * width (an empty prompt) is left unmarked. The sampler works on its own copy of the logits, so log probabilities
 * computed from the model's logits are unaffected.
 */
public final class WatermarkProcessor implements LogitsProcessor {
    private final GreenList greenList;
    private final float delta;

    WatermarkProcessor(GreenList greenList, double delta) {
        this.greenList = greenList;
        this.delta = (float) delta;
    }

    @Override
    public void process(float[] logits, int[] context, int length) {
        if (length < greenList.context() || delta == 0) {
            return;
        }
        greenList.bias(greenList.seed(context, length), logits, delta);
    }
}
