package ai.appliance.runtime.watermark;

import ai.appliance.runtime.sampling.LogitsProcessor;

/**
 * A keyed green-list watermark (Kirchenbauer et al., "A Watermark for Large Language Models", 2023): the key and
 * the parameters, from which each generated sequence gets its own {@link WatermarkProcessor} and each check its
 * own {@link WatermarkDetector}.
 */
public record Watermark(WatermarkKey key, WatermarkSettings settings) {

    public Watermark {
        if (key == null || settings == null) {
            throw new IllegalArgumentException("a watermark needs a key and settings");
        }
    }

    /** A processor for one sequence (it is stateless between steps, but holds a per-thread HMAC). */
    public LogitsProcessor newProcessor() {
        return new WatermarkProcessor(new GreenList(key, settings.gamma(), settings.context()), settings.delta());
    }

    /** @param countRepeats score every token, not each (context, token) pair once ({@link WatermarkDetector}) */
    public WatermarkDetector newDetector(boolean countRepeats) {
        return new WatermarkDetector(new GreenList(key, settings.gamma(), settings.context()), settings.gamma(),
                countRepeats);
    }
}
