package ai.appliance.runtime.scheduler;

import static ai.appliance.runtime.generation.FinishReason.EOS;

/** Test double of the engine's per-request generation: greedy, text "<id> ", stops on {@code stopToken}. */
final class ArgmaxGeneration implements Generation {

    private final int[] prompt;
    private final int stopToken;

    ArgmaxGeneration(int[] prompt, int stopToken) {
        this.prompt = prompt;
        this.stopToken = stopToken;
    }

    @Override
    public int[] promptTokens() {
        return prompt;
    }

    @Override
    public Step next(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        if (best == stopToken) {
            return new Step(best, "", "", new FinishReason.Completed(EOS));
        }
        return new Step(best, best + " ", "", null);
    }

    @Override
    public Step finish(FinishReason reason) {
        return new Step(-1, "", "", reason);
    }
}
