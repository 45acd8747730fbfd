package ai.appliance.runtime.arch.llama;

/** The two members of the Llama family: every DeepSeek-R1 distill is one of these. */
public enum LlamaVariant {
    /** Qwen2ForCausalLM: q/k/v projections carry a bias (DeepSeek-R1-Distill-Qwen-*). */
    QWEN2("qwen2", "Qwen2ForCausalLM", "qwen2"),
    /** LlamaForCausalLM, including Llama-3 RoPE scaling (DeepSeek-R1-Distill-Llama-*). */
    LLAMA("llama", "LlamaForCausalLM", "llama-bpe");

    private final String ggufName;
    private final String huggingFaceName;
    private final String tokenizerPreset;

    LlamaVariant(String ggufName, String huggingFaceName, String tokenizerPreset) {
        this.ggufName = ggufName;
        this.huggingFaceName = huggingFaceName;
        this.tokenizerPreset = tokenizerPreset;
    }

    /** GGUF {@code general.architecture} (and the {@code <arch>.} key prefix). */
    public String ggufName() {
        return ggufName;
    }

    /** Hugging Face {@code architectures[0]}; {@code model_type} is the GGUF name. */
    public String huggingFaceName() {
        return huggingFaceName;
    }

    /** {@code tokenizer.ggml.pre} of the distills' vocabularies. */
    public String tokenizerPreset() {
        return tokenizerPreset;
    }

    /**
     * Whether q/k rows are permuted between Hugging Face and GGUF (llama.cpp's converter does it for Llama so that
     * RoPE rotates adjacent pairs; Qwen2 files keep the Hugging Face layout).
     */
    public boolean ggufPermutesQueryKey() {
        return this == LLAMA;
    }

    /** Whether q/k/v carry a bias. */
    public boolean hasQueryKeyValueBias() {
        return this == QWEN2;
    }

    static LlamaVariant byGgufName(String name) {
        for (var v : values()) if (v.ggufName.equals(name)) return v;
        return null;
    }

    static LlamaVariant byHuggingFaceName(String name) {
        for (var v : values()) if (v.huggingFaceName.equals(name) || v.ggufName.equals(name)) return v;
        return null;
    }
}
