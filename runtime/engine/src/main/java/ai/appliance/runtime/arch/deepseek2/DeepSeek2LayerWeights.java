package ai.appliance.runtime.arch.deepseek2;

import ai.appliance.runtime.tensor.Tensor;
import java.util.List;

/**
 * Weights of one DeepSeek block. Absent parts are null: {@code queryA}/{@code queryANorm}/{@code queryB} without a q
 * LoRA (then {@code query}), {@code kvB} in split-layout GGUF files (then {@code kB} [heads, kv_lora, qk_nope] and
 * {@code vB} [heads, v, kv_lora]), the dense MLP in MoE layers, and the router, experts and shared experts in dense
 * ones. {@code routerBias} is V3's correction bias. {@code experts} are the routed experts as 2-D matrices;
 * {@code expertTensors} the tensors they live in as stored (three 3-D stacks in GGUF, one matrix per expert and
 * kind in checkpoints).
 */
public record DeepSeek2LayerWeights(
        Tensor attentionNorm,
        Tensor queryA, Tensor queryANorm, Tensor queryB,
        Tensor query,
        Tensor kvAMqa, Tensor kvANorm,
        Tensor kvB,
        Tensor kB, Tensor vB,
        Tensor attentionOutput,
        Tensor ffnNorm,
        Tensor gate, Tensor up, Tensor down,
        Tensor router, Tensor routerBias,
        List<DeepSeek2Expert> experts,
        List<Tensor> expertTensors,
        Tensor sharedGate, Tensor sharedUp, Tensor sharedDown) {

    /** Whether this block is a mixture-of-experts block. */
    public boolean isMoe() {
        return router != null;
    }
}
