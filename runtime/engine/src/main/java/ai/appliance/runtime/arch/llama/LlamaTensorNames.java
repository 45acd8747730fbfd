package ai.appliance.runtime.arch.llama;

import ai.appliance.runtime.arch.TensorNameConvention;

/** Where each weight lives by name, in GGUF (llama.cpp) and in Hugging Face checkpoints. */
public enum LlamaTensorNames {
    GGUF(TensorNameConvention.GGUF),
    HUGGING_FACE(TensorNameConvention.HUGGING_FACE);

    /** Weights of one transformer block, with their names under each convention. */
    public enum Layer {
        ATTENTION_NORM("attn_norm.weight", "input_layernorm.weight"),
        QUERY("attn_q.weight", "self_attn.q_proj.weight"),
        KEY("attn_k.weight", "self_attn.k_proj.weight"),
        VALUE("attn_v.weight", "self_attn.v_proj.weight"),
        QUERY_BIAS("attn_q.bias", "self_attn.q_proj.bias"),
        KEY_BIAS("attn_k.bias", "self_attn.k_proj.bias"),
        VALUE_BIAS("attn_v.bias", "self_attn.v_proj.bias"),
        ATTENTION_OUTPUT("attn_output.weight", "self_attn.o_proj.weight"),
        FEED_FORWARD_NORM("ffn_norm.weight", "post_attention_layernorm.weight"),
        GATE("ffn_gate.weight", "mlp.gate_proj.weight"),
        UP("ffn_up.weight", "mlp.up_proj.weight"),
        DOWN("ffn_down.weight", "mlp.down_proj.weight");

        private final String gguf;
        private final String huggingFace;

        Layer(String gguf, String huggingFace) {
            this.gguf = gguf;
            this.huggingFace = huggingFace;
        }

        /** Whether the tensor is a vector (norm weight or bias): kept in F32 by quantizers. */
        public boolean isVector() {
            return this == ATTENTION_NORM || this == FEED_FORWARD_NORM || this == QUERY_BIAS || this == KEY_BIAS || this == VALUE_BIAS;
        }
    }

    private final TensorNameConvention convention;

    LlamaTensorNames(TensorNameConvention convention) {
        this.convention = convention;
    }

    public String embedding() {
        return convention.embedding();
    }

    public String outputNorm() {
        return convention.outputNorm();
    }

    public String output() {
        return convention.output();
    }

    public String layer(int index, Layer weight) {
        return convention.layerPrefix(index) + (this == GGUF ? weight.gguf : weight.huggingFace);
    }
}
