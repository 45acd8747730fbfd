package ai.appliance.runtime.model;

/** Transformer families the engine runs: every DeepSeek-R1 distill is one of these. */
public enum Architecture {
    /** Qwen2ForCausalLM: q/k/v projections carry a bias (DeepSeek-R1-Distill-Qwen-*). */
    QWEN2,
    /** LlamaForCausalLM, including Llama-3 RoPE scaling (DeepSeek-R1-Distill-Llama-*). */
    LLAMA
}
