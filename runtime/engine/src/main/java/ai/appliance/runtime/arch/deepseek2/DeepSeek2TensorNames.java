package ai.appliance.runtime.arch.deepseek2;

import ai.appliance.runtime.arch.TensorNameConvention;

/**
 * Where each weight lives by name, in GGUF (llama.cpp's {@code deepseek2}) and in Hugging Face checkpoints. GGUF
 * stacks the routed experts of a layer into 3-D tensors ({@link Layer#EXPERT_GATE} etc.); Hugging Face has one
 * matrix per expert ({@link #expert}). GGUF's key/value up-projection is either the legacy unsplit
 * {@link Layer#KV_B} or, from newer converters, {@link Layer#K_B} (per head, transposed) and {@link Layer#V_B};
 * Hugging Face has only {@code kv_b_proj}.
 */
public enum DeepSeek2TensorNames {
    GGUF(TensorNameConvention.GGUF),
    HUGGING_FACE(TensorNameConvention.HUGGING_FACE);

    /** Weights of one block; a null name means the convention has no such tensor. */
    public enum Layer {
        ATTENTION_NORM("attn_norm.weight", "input_layernorm.weight"),
        Q_A("attn_q_a.weight", "self_attn.q_a_proj.weight"),
        Q_A_NORM("attn_q_a_norm.weight", "self_attn.q_a_layernorm.weight"),
        Q_B("attn_q_b.weight", "self_attn.q_b_proj.weight"),
        Q("attn_q.weight", "self_attn.q_proj.weight"),
        KV_A_MQA("attn_kv_a_mqa.weight", "self_attn.kv_a_proj_with_mqa.weight"),
        KV_A_NORM("attn_kv_a_norm.weight", "self_attn.kv_a_layernorm.weight"),
        KV_B("attn_kv_b.weight", "self_attn.kv_b_proj.weight"),
        K_B("attn_k_b.weight", null),
        V_B("attn_v_b.weight", null),
        ATTENTION_OUTPUT("attn_output.weight", "self_attn.o_proj.weight"),
        FFN_NORM("ffn_norm.weight", "post_attention_layernorm.weight"),
        GATE("ffn_gate.weight", "mlp.gate_proj.weight"),
        UP("ffn_up.weight", "mlp.up_proj.weight"),
        DOWN("ffn_down.weight", "mlp.down_proj.weight"),
        ROUTER("ffn_gate_inp.weight", "mlp.gate.weight"),
        ROUTER_BIAS("exp_probs_b.bias", "mlp.gate.e_score_correction_bias"),
        EXPERT_GATE("ffn_gate_exps.weight", null),
        EXPERT_UP("ffn_up_exps.weight", null),
        EXPERT_DOWN("ffn_down_exps.weight", null),
        SHARED_GATE("ffn_gate_shexp.weight", "mlp.shared_experts.gate_proj.weight"),
        SHARED_UP("ffn_up_shexp.weight", "mlp.shared_experts.up_proj.weight"),
        SHARED_DOWN("ffn_down_shexp.weight", "mlp.shared_experts.down_proj.weight");

        private final String gguf;
        private final String huggingFace;

        Layer(String gguf, String huggingFace) {
            this.gguf = gguf;
            this.huggingFace = huggingFace;
        }

        /** Whether the tensor is a vector (norm weight or bias): kept in F32 by converters. */
        public boolean isVector() {
            return this == ATTENTION_NORM || this == Q_A_NORM || this == KV_A_NORM || this == FFN_NORM || this == ROUTER_BIAS;
        }
    }

    /** The three matrices of a routed expert in Hugging Face checkpoints. */
    public enum ExpertMatrix {
        GATE("gate_proj"), UP("up_proj"), DOWN("down_proj");

        private final String name;

        ExpertMatrix(String name) {
            this.name = name;
        }
    }

    private final TensorNameConvention convention;

    DeepSeek2TensorNames(TensorNameConvention convention) {
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

    /** The name of {@code weight} in block {@code index}; an error for a tensor this convention does not have. */
    public String layer(int index, Layer weight) {
        var name = this == GGUF ? weight.gguf : weight.huggingFace;
        if (name == null) throw new IllegalArgumentException(this + " has no tensor " + weight);
        return convention.layerPrefix(index) + name;
    }

    /** A Hugging Face checkpoint's matrix of routed expert {@code expert} in block {@code index}. */
    public String expert(int index, int expert, ExpertMatrix matrix) {
        if (this != HUGGING_FACE) throw new IllegalArgumentException("GGUF stacks the experts; use Layer.EXPERT_*");
        return convention.layerPrefix(index) + "mlp.experts." + expert + "." + matrix.name + ".weight";
    }
}
