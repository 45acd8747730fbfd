package ai.appliance.runtime.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.scheduler.FinishReason;
import ai.appliance.runtime.scheduler.Generation;
import ai.appliance.runtime.scheduler.GenerationListener;
import ai.appliance.runtime.scheduler.Outcome;
import ai.appliance.runtime.scheduler.Scheduler;
import ai.appliance.runtime.scheduler.SchedulerObserver;
import ai.appliance.runtime.scheduler.SchedulerSettings;
import ai.appliance.runtime.scheduler.TextLogprob;
import ai.appliance.runtime.serving.InferenceRequest;
import ai.appliance.runtime.serving.SamplingParams;
import ai.appliance.runtime.testing.Fixtures;
import ai.appliance.runtime.testing.Reference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The log probabilities a served model returns equal log-softmax of transformers' reference logits (within the
 * fixtures README's 1e-3 for F32 weights): each reference prompt, BOS included, runs through the scheduler and the
 * request's own generation, asking for 5 alternatives.
 */
class EngineModelLogprobsTest {
    private static final double TOLERANCE = 1e-3;

    private static double[] logSoftmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l);
        double sum = 0;
        for (float l : logits) sum += Math.exp(l - max);
        var out = new double[logits.length];
        for (int i = 0; i < logits.length; i++) out[i] = logits[i] - max - Math.log(sum);
        return out;
    }

    /** The request's generation, fed the reference's token ids instead of its tokenized text. */
    private record ReferencePrompt(int[] ids, Generation generation) implements Generation {
        @Override
        public int[] promptTokens() {
            return ids;
        }

        @Override
        public Step next(float[] logits) {
            return generation.next(logits);
        }

        @Override
        public Step finish(FinishReason reason) {
            return generation.finish(reason);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-qwen2", "tiny-deepseek-v2-lite"})
    void logprobsAreLogSoftmaxOfTheReferenceLogits(String name) throws Exception {
        var reference = Reference.load(name, "f32");
        try (var model = EngineModel.open(Fixtures.model(name), name, "f32", false, "cpu", 2)) {
            var scheduler = new Scheduler("test", model.engine(), SchedulerSettings.DEFAULT, SchedulerObserver.NONE);
            try {
                for (var prompt : reference.prompts()) {
                    var request = new InferenceRequest(InferenceRequest.Kind.COMPLETION, null, List.of(), "x",
                            new SamplingParams(0, 1, 0, null), 1, List.of(), false, false, 5);
                    var logprobs = new ArrayList<TextLogprob>();
                    var done = new CompletableFuture<Outcome>();
                    scheduler.submit(new ReferencePrompt(prompt.inputIds(), model.start(request)), 1, Long.MAX_VALUE,
                            new GenerationListener() {
                                @Override
                                public void onDelta(String content, String reasoning,
                                                    List<ai.appliance.runtime.scheduler.ToolCallDelta> calls,
                                                    List<TextLogprob> step) {
                                    logprobs.addAll(step);
                                }

                                @Override
                                public void onFinished(Outcome outcome) {
                                    done.complete(outcome);
                                }

                                @Override
                                public void onFailed(RuntimeException error) {
                                    done.completeExceptionally(error);
                                }
                            });
                    done.get(60, TimeUnit.SECONDS);
                    var expected = logSoftmax(prompt.lastLogits());
                    assertEquals(1, logprobs.size(), "one generated token");
                    var token = logprobs.getFirst();
                    int chosen = prompt.greedyIds()[0];
                    assertEquals(model.tokenizer().tokenBytes(chosen).length, token.bytes().length);
                    assertEquals(expected[chosen], token.logprob(), TOLERANCE, name + " greedy token's logprob");
                    assertEquals(5, token.top().size());
                    var sorted = expected.clone();
                    java.util.Arrays.sort(sorted);
                    for (int i = 0; i < 5; i++) {
                        assertEquals(sorted[sorted.length - 1 - i], token.top().get(i).logprob(), TOLERANCE,
                                name + " alternative " + i);
                    }
                    assertTrue(token.top().getFirst().logprob() >= token.top().getLast().logprob());
                }
            } finally {
                scheduler.shutdown(Duration.ZERO);
            }
        }
    }
}
