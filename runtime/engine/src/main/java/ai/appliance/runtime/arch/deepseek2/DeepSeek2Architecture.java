package ai.appliance.runtime.arch.deepseek2;

import ai.appliance.runtime.arch.ModelArchitecture;
import ai.appliance.runtime.arch.deepseek2.DeepSeek2Config.Scoring;
import ai.appliance.runtime.arch.deepseek2.DeepSeek2Config.Selection;
import ai.appliance.runtime.arch.deepseek2.DeepSeek2TensorNames.Layer;
import ai.appliance.runtime.backend.Backend;
import ai.appliance.runtime.engine.LanguageModel;
import ai.appliance.runtime.gguf.GgufFile;
import ai.appliance.runtime.gguf.GgufWriter;
import ai.appliance.runtime.model.ModelConfig;
import ai.appliance.runtime.model.ModelFormatException;
import ai.appliance.runtime.model.ModelTensors;
import ai.appliance.runtime.model.ModelWeights;
import ai.appliance.runtime.quantize.GgufModelMetadata;
import ai.appliance.runtime.synth.SyntheticModelSpec;
import ai.appliance.runtime.synth.SyntheticTensors;
import ai.appliance.runtime.tensor.GgmlType;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * DeepSeek-V2, V2-Lite, V3 and R1 (GGUF {@code deepseek2}; Hugging Face {@code DeepseekV2ForCausalLM},
 * {@code DeepseekV3ForCausalLM}): Multi-head Latent Attention with a compressed KV cache, YaRN RoPE, DeepSeekMoE with
 * shared experts, softmax (V2) or sigmoid-with-bias, group-limited (V3) routing, and leading dense layers.
 */
public final class DeepSeek2Architecture implements ModelArchitecture {
    /** Prompt tokens per pass through the layers. */
    public static final int CHUNK_TOKENS = DeepSeek2Model.DEFAULT_CHUNK_TOKENS;

    @Override
    public String name() {
        return DeepSeek2Config.ARCHITECTURE;
    }

    @Override
    public List<String> ggufNames() {
        return List.of(DeepSeek2Config.ARCHITECTURE);
    }

    @Override
    public List<String> huggingFaceNames() {
        return List.of(DeepSeek2HfConfig.V2, "deepseek_v2", DeepSeek2HfConfig.V3, "deepseek_v3");
    }

    @Override
    public DeepSeek2Config ggufConfig(GgufFile gguf) {
        return DeepSeek2GgufConfig.read(gguf);
    }

    @Override
    public DeepSeek2Config huggingFaceConfig(Path configJson, JsonNode root, Set<String> tensorNames) {
        var archs = root.path("architectures");
        var name = archs.isArray() && !archs.isEmpty() ? archs.get(0).asText() : root.path("model_type").asText("");
        return DeepSeek2HfConfig.read(configJson, root, name, tensorNames);
    }

    @Override
    public DeepSeek2Weights weights(ModelConfig config, ModelTensors tensors) {
        return new DeepSeek2WeightsAssembler(deepseek(config), tensors).assemble();
    }

    @Override
    public LanguageModel newModel(ModelConfig config, ModelWeights weights, Backend backend) {
        return new DeepSeek2Model(deepseek(config), (DeepSeek2Weights) weights, backend, CHUNK_TOKENS);
    }

    @Override
    public void planGgufFromCheckpoint(ModelConfig config, ModelTensors checkpoint, GgufWriter writer, GgmlType matrixType) {
        if (matrixType != GgmlType.Q8_0 && matrixType != GgmlType.Q4_K) {
            throw new ModelFormatException(checkpoint.file(), "quantize writes DeepSeek checkpoints as Q8_0 or Q4_K, not " + matrixType);
        }
        DeepSeek2CheckpointConversion.plan(this, deepseek(config), checkpoint, writer, matrixType);
    }

    @Override
    public List<SyntheticModelSpec> syntheticModels() {
        return DeepSeek2SyntheticModels.all(this);
    }

    /**
     * Every tensor in the split layout newer llama.cpp converters write (and its {@code load_tensors} expects with
     * {@code key_length_mla} set): {@code attn_k_b} [heads, kv_lora, qk_nope] and {@code attn_v_b} [heads, v,
     * kv_lora] instead of {@code attn_kv_b}; routed experts as 3-D stacks, experts outermost.
     */
    @Override
    public void planSyntheticTensors(ModelConfig config, SyntheticTensors plan) {
        var c = deepseek(config);
        var names = DeepSeek2TensorNames.GGUF;
        long hidden = c.embeddingLength();
        long heads = c.headCount();
        plan.matrix(names.embedding(), c.vocabularySize(), hidden);
        for (int i = 0; i < c.layerCount(); i++) {
            plan.ones(names.layer(i, Layer.ATTENTION_NORM), hidden);
            if (c.hasQueryLora()) {
                plan.matrix(names.layer(i, Layer.Q_A), c.queryLoraRank(), hidden);
                plan.ones(names.layer(i, Layer.Q_A_NORM), c.queryLoraRank());
                plan.matrix(names.layer(i, Layer.Q_B), heads * c.queryHeadDim(), c.queryLoraRank());
            } else {
                plan.matrix(names.layer(i, Layer.Q), heads * c.queryHeadDim(), hidden);
            }
            plan.matrix(names.layer(i, Layer.KV_A_MQA), c.latentWidth(), hidden);
            plan.ones(names.layer(i, Layer.KV_A_NORM), c.kvLoraRank());
            plan.matrix(names.layer(i, Layer.K_B), heads, c.kvLoraRank(), c.qkNopeHeadDim());
            plan.matrix(names.layer(i, Layer.V_B), heads, c.valueHeadDim(), c.kvLoraRank());
            plan.matrix(names.layer(i, Layer.ATTENTION_OUTPUT), hidden, heads * c.valueHeadDim());
            plan.ones(names.layer(i, Layer.FFN_NORM), hidden);
            if (!c.isMoeLayer(i)) {
                plan.matrix(names.layer(i, Layer.GATE), c.feedForwardLength(), hidden);
                plan.matrix(names.layer(i, Layer.UP), c.feedForwardLength(), hidden);
                plan.matrix(names.layer(i, Layer.DOWN), hidden, c.feedForwardLength());
                continue;
            }
            long experts = c.expertCount();
            long eff = c.expertFeedForwardLength();
            plan.floatMatrix(names.layer(i, Layer.ROUTER), experts, hidden);
            if (c.selection() == Selection.NOAUX_TC) plan.vector(names.layer(i, Layer.ROUTER_BIAS), experts);
            plan.matrix(names.layer(i, Layer.EXPERT_GATE), experts, eff, hidden);
            plan.matrix(names.layer(i, Layer.EXPERT_UP), experts, eff, hidden);
            plan.matrix(names.layer(i, Layer.EXPERT_DOWN), experts, hidden, eff);
            if (c.sharedExpertCount() > 0) {
                long shared = c.sharedFeedForwardLength();
                plan.matrix(names.layer(i, Layer.SHARED_GATE), shared, hidden);
                plan.matrix(names.layer(i, Layer.SHARED_UP), shared, hidden);
                plan.matrix(names.layer(i, Layer.SHARED_DOWN), hidden, shared);
            }
        }
        plan.ones(names.outputNorm(), hidden);
        if (!c.tiedEmbeddings()) plan.matrix(names.output(), c.vocabularySize(), hidden);
    }

    /**
     * general.* and every {@code deepseek2.*} key llama.cpp's current converter writes, for the split layout: the
     * latent seen as one key/value head ({@code head_count_kv} 1, {@code key_length} kv_lora + qk_rope,
     * {@code value_length} kv_lora) and the per-head sizes in {@code key_length_mla}/{@code value_length_mla}; the
     * group limits; YaRN with {@code yarn_log_multiplier} = 0.1 × mscale_all_dim (the converter's legacy convention).
     */
    @Override
    public void writeGgufHyperParameters(GgufWriter w, ModelConfig config, String name, String sizeLabel, int fileType) {
        var c = deepseek(config);
        var p = DeepSeek2Config.ARCHITECTURE + ".";
        GgufModelMetadata.writeGeneral(w, DeepSeek2Config.ARCHITECTURE, name, sizeLabel);
        w.putUInt32(p + "block_count", c.layerCount());
        w.putUInt32(p + "context_length", c.contextLength());
        w.putUInt32(p + "embedding_length", c.embeddingLength());
        w.putUInt32(p + "feed_forward_length", c.feedForwardLength());
        w.putUInt32(p + "attention.head_count", c.headCount());
        w.putUInt32(p + "attention.head_count_kv", 1);
        var yarn = c.yarn();
        if (yarn != null) {
            w.putString(p + "rope.scaling.type", "yarn");
            w.putFloat32(p + "rope.scaling.factor", (float) yarn.factor());
            w.putUInt32(p + "rope.scaling.original_context_length", yarn.originalContextLength());
            w.putFloat32(p + "rope.scaling.yarn_beta_fast", (float) yarn.betaFast());
            w.putFloat32(p + "rope.scaling.yarn_beta_slow", (float) yarn.betaSlow());
        }
        w.putFloat32(p + "rope.freq_base", (float) c.ropeTheta());
        w.putFloat32(p + "attention.layer_norm_rms_epsilon", c.rmsNormEpsilon());
        if (c.hasMoeLayers()) {
            w.putUInt32(p + "expert_count", c.expertCount());
            w.putUInt32(p + "expert_used_count", c.expertsPerToken());
            w.putUInt32(p + "expert_group_count", c.expertGroupCount());
            w.putUInt32(p + "expert_group_used_count", c.expertGroupsUsed());
            w.putUInt32(p + "expert_gating_func", c.scoring().ggufId());
        }
        w.putUInt32("general.file_type", fileType);
        w.putUInt32(p + "leading_dense_block_count", c.leadingDenseBlocks());
        w.putUInt32(p + "vocab_size", c.vocabularySize());
        if (c.hasQueryLora()) w.putUInt32(p + "attention.q_lora_rank", c.queryLoraRank());
        w.putUInt32(p + "attention.kv_lora_rank", c.kvLoraRank());
        w.putUInt32(p + "attention.key_length", c.latentWidth());
        w.putUInt32(p + "attention.value_length", c.kvLoraRank());
        w.putUInt32(p + "attention.key_length_mla", c.queryHeadDim());
        w.putUInt32(p + "attention.value_length_mla", c.valueHeadDim());
        if (c.hasMoeLayers()) {
            w.putUInt32(p + "expert_feed_forward_length", c.expertFeedForwardLength());
            w.putUInt32(p + "expert_shared_count", c.sharedExpertCount());
            w.putFloat32(p + "expert_weights_scale", c.expertWeightsScale());
            if (c.normalizeExpertWeights()) w.putBool(p + "expert_weights_norm", true);
        }
        w.putUInt32(p + "rope.dimension_count", c.qkRopeHeadDim());
        if (yarn != null && yarn.mscaleAllDim() != 0) {
            w.putFloat32(p + "rope.scaling.yarn_log_multiplier", (float) (0.1 * yarn.mscaleAllDim()));
        }
    }

    /** llama.cpp's {@code tokenizer.ggml.pre}: "deepseek-v3" for the V3/R1 vocabulary, "deepseek-llm" for V2's. */
    @Override
    public String tokenizerPreset(ModelConfig config) {
        return deepseek(config).scoring() == Scoring.SIGMOID ? "deepseek-v3" : "deepseek-llm";
    }

    @Override
    public DeepSeek2Config withLayerCount(ModelConfig config, int layers) {
        return deepseek(config).withLayerCount(layers);
    }

    static DeepSeek2Config deepseek(ModelConfig config) {
        if (config instanceof DeepSeek2Config c) return c;
        throw new IllegalArgumentException("not a DeepSeek-V2/V3 config: " + config.architecture());
    }
}
