package ai.appliance.runtime.arch.deepseek2;

import ai.appliance.runtime.tensor.Tensor;

/**
 * One routed expert's SwiGLU MLP, {@code down(silu(gate(x)) · up(x))}: gate and up [moe_intermediate, hidden], down
 * [hidden, moe_intermediate]. In GGUF files these are 2-D views into the layer's stacked 3-D expert tensors.
 */
public record DeepSeek2Expert(Tensor gate, Tensor up, Tensor down) {
}
