package ai.appliance.runtime.scheduler;

import static ai.appliance.runtime.generation.FinishReason.EOS;

/** Test double of a generation that keeps a copy of the logits after its prompt and then ends. */
final class FirstLogitsGeneration implements Generation {

    private final int[] prompt;
    volatile float[] logits;

    FirstLogitsGeneration(int[] prompt) {
        this.prompt = prompt;
    }

    @Override
    public int[] promptTokens() {
        return prompt;
    }

    @Override
    public Step next(float[] logits) {
        this.logits = logits.clone();
        return new Step(0, "", "", new FinishReason.Completed(EOS));
    }

    @Override
    public Step finish(FinishReason reason) {
        return new Step(-1, "", "", reason);
    }
}
