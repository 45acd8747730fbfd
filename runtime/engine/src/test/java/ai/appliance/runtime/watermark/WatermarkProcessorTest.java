package ai.appliance.runtime.watermark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.appliance.runtime.sampling.Sampler;
import ai.appliance.runtime.sampling.SamplerSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

class WatermarkProcessorTest {
    private static final WatermarkKey KEY = WatermarkKey.fromHex("5e".repeat(32));

    @Test
    void aStepWithFewerPrecedingTokensThanTheContextIsLeftUnmarked() {
        var processor = new Watermark(KEY, new WatermarkSettings(0.25, 2, 2)).newProcessor();
        var logits = new float[1000];
        processor.process(logits, new int[] {17}, 1);
        assertArrayEquals(new float[1000], logits);
        processor.process(logits, new int[] {17, 18}, 2);
        int marked = 0;
        for (float l : logits) if (l == 2) marked++;
        // A quarter of 1000, within 4 binomial standard deviations (13.7 each).
        assertEquals(250, marked, 55);
    }

    @Test
    void aMarkedSamplerDrawsGreenTokensAsOftenAsTheBiasPredicts() {
        // Flat logits: a green token has weight e^delta, a red one 1, so the green share of draws is
        // gamma·e^delta / (gamma·e^delta + 1 − gamma) = 0.711 for gamma 0.25, delta 2.
        var watermark = new Watermark(KEY, WatermarkSettings.DEFAULTS);
        int vocabulary = 2000;
        var sampler = new Sampler(SamplerSettings.builder().temperature(1).topP(1).seed(3L).build(), vocabulary,
                List.of(watermark.newProcessor()));
        var list = new GreenList(KEY, 0.25, 1);
        var logits = new float[vocabulary];
        var context = new int[1];
        int draws = 5000;
        int green = 0;
        for (int i = 0; i < draws; i++) {
            context[0] = i;
            int token = sampler.sample(logits, context, 1);
            if (list.isGreen(list.seed(context, 1), token)) green++;
        }
        double expected = 0.25 * Math.exp(2) / (0.25 * Math.exp(2) + 0.75);
        // 5 binomial standard deviations of 5000 draws.
        assertEquals(expected, (double) green / draws, 5 * Math.sqrt(expected * (1 - expected) / draws));
        assertArrayEquals(new float[vocabulary], logits, "the sampler biases its own copy, never the model's logits");
    }

    @Test
    void deltaZeroLeavesTheDrawsAsTheyWere() {
        var logits = new float[500];
        for (int i = 0; i < logits.length; i++) logits[i] = (float) Math.sin(i);
        var settings = SamplerSettings.builder().temperature(1).topP(1).seed(9L).build();
        var plain = new Sampler(settings, logits.length);
        var marked = new Sampler(settings, logits.length,
                List.of(new Watermark(KEY, new WatermarkSettings(0.25, 0, 1)).newProcessor()));
        var context = new int[1];
        for (int i = 0; i < 200; i++) {
            context[0] = i;
            assertEquals(plain.sample(logits, context, 1), marked.sample(logits, context, 1));
        }
    }
}
