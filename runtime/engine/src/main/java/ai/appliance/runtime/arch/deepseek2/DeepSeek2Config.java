package ai.appliance.runtime.arch.deepseek2;

import ai.appliance.runtime.model.ModelConfig;
import ai.appliance.runtime.model.ModelFormatException;
import ai.appliance.runtime.model.RopeStyle;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Hyper-parameters of a DeepSeek-V2, V2-Lite, V3 or R1 model (GGUF {@code deepseek2}), the same whether read from a
 * GGUF file or a Hugging Face config.json.
 *
 * <p>Attention is Multi-head Latent Attention: a query of {@code qkNopeHeadDim + qkRopeHeadDim} per head, through a
 * rank-{@code queryLoraRank} bottleneck (0: a plain q projection, as V2-Lite), and keys and values decompressed per
 * head from one {@code kvLoraRank} latent shared by all heads plus one shared {@code qkRopeHeadDim} rotary key. The
 * engine caches only that latent and the rotary key ({@link #latentWidth()} floats per position and layer).
 *
 * <p>Feed-forward: the first {@code leadingDenseBlocks} layers are dense SwiGLU MLPs of {@code feedForwardLength};
 * the others are DeepSeekMoE layers: {@code expertCount} routed experts of {@code expertFeedForwardLength}, of which
 * a router picks {@code expertsPerToken}, plus {@code sharedExpertCount} always-on experts (one SwiGLU MLP of
 * {@code sharedExpertCount × expertFeedForwardLength}).
 *
 * @param queryLoraRank          0 when the model has a plain q projection
 * @param expertGroupCount       experts form this many groups of consecutive ids (1: no group limit)
 * @param expertGroupsUsed       routing picks experts only from this many best groups
 * @param normalizeExpertWeights whether the chosen experts' weights are divided by their sum ({@code norm_topk_prob})
 * @param expertWeightsScale     {@code routed_scaling_factor}, multiplying the routed experts' weights
 * @param yarn                   YaRN scaling, or null for plain RoPE
 */
public record DeepSeek2Config(
        int vocabularySize,
        int embeddingLength,
        int layerCount,
        int headCount,
        int queryLoraRank,
        int kvLoraRank,
        int qkNopeHeadDim,
        int qkRopeHeadDim,
        int valueHeadDim,
        int feedForwardLength,
        int expertFeedForwardLength,
        int expertCount,
        int sharedExpertCount,
        int expertsPerToken,
        int expertGroupCount,
        int expertGroupsUsed,
        boolean normalizeExpertWeights,
        float expertWeightsScale,
        Scoring scoring,
        Selection selection,
        int leadingDenseBlocks,
        float rmsNormEpsilon,
        double ropeTheta,
        RopeStyle ropeStyle,
        YarnScaling yarn,
        int contextLength,
        boolean tiedEmbeddings) implements ModelConfig {

    /** GGUF {@code general.architecture} of the whole family. */
    public static final String ARCHITECTURE = "deepseek2";
    /** Far above any real model; a larger value is corruption and would make the engine allocate absurdly. */
    static final int MAX_DIMENSION = 1 << 20;
    static final int MAX_LAYERS = 1024;

    /** How the router turns its logits into expert scores. */
    public enum Scoring {
        /** DeepSeek-V2: softmax over all experts (GGUF expert_gating_func 1). */
        SOFTMAX(1, "softmax"),
        /** DeepSeek-V3: an independent sigmoid per expert (GGUF expert_gating_func 2). */
        SIGMOID(2, "sigmoid");

        private final int ggufId;
        private final String huggingFaceName;

        Scoring(int ggufId, String huggingFaceName) {
            this.ggufId = ggufId;
            this.huggingFaceName = huggingFaceName;
        }

        /** GGUF {@code expert_gating_func}. */
        public int ggufId() {
            return ggufId;
        }

        /** config.json {@code scoring_func}. */
        public String huggingFaceName() {
            return huggingFaceName;
        }
    }

    /** How the router picks the experts from their scores (config.json {@code topk_method}). */
    public enum Selection {
        /** The k best scores, groups ignored (V2-Lite, "greedy"). */
        GREEDY("greedy"),
        /** Groups ranked by their best score, the k best experts of the best groups (V2, "group_limited_greedy"). */
        GROUP_LIMITED_GREEDY("group_limited_greedy"),
        /**
         * Scores plus a per-expert correction bias choose (V3, "noaux_tc"): groups ranked by the sum of their two best
         * biased scores, then the k best biased scores of the kept groups; the weights are the unbiased scores.
         */
        NOAUX_TC("noaux_tc");

        private final String huggingFaceName;

        Selection(String huggingFaceName) {
            this.huggingFaceName = huggingFaceName;
        }

        public String huggingFaceName() {
            return huggingFaceName;
        }
    }

    @Override
    public String architecture() {
        return ARCHITECTURE;
    }

    /** Query and key width per head: the non-rotary part then the rotary part. */
    public int queryHeadDim() {
        return qkNopeHeadDim + qkRopeHeadDim;
    }

    /** Floats the KV cache holds per position and layer: the normalised latent, then the rotated shared rotary key. */
    public int latentWidth() {
        return kvLoraRank + qkRopeHeadDim;
    }

    public boolean hasQueryLora() {
        return queryLoraRank > 0;
    }

    /** Whether layer {@code layer} is a mixture-of-experts layer (else a dense MLP). */
    public boolean isMoeLayer(int layer) {
        return layer >= leadingDenseBlocks;
    }

    /** Whether any layer is a mixture-of-experts layer. */
    public boolean hasMoeLayers() {
        return leadingDenseBlocks < layerCount;
    }

    /** Width of the shared experts' MLP (0 without shared experts). */
    public int sharedFeedForwardLength() {
        return sharedExpertCount * expertFeedForwardLength;
    }

    /** The attention softmax scale: (qk_nope + qk_rope)^−½, times YaRN's mscale_all_dim amplitude squared. */
    public double softmaxScale() {
        double scale = 1.0 / Math.sqrt(queryHeadDim());
        return yarn == null ? scale : scale * yarn.softmaxScaleFactor();
    }

    /** F32 latent cache: layers × (kv_lora_rank + qk_rope_head_dim) × 4 bytes. */
    @Override
    public long kvCacheBytesPerToken() {
        return (long) layerCount * latentWidth() * Float.BYTES;
    }

    @Override
    public Map<String, Object> describe() {
        var m = new LinkedHashMap<String, Object>();
        m.put("architecture", architecture());
        m.put("vocabularySize", vocabularySize);
        m.put("embeddingLength", embeddingLength);
        m.put("layerCount", layerCount);
        m.put("headCount", headCount);
        m.put("queryLoraRank", queryLoraRank);
        m.put("kvLoraRank", kvLoraRank);
        m.put("qkNopeHeadDim", qkNopeHeadDim);
        m.put("qkRopeHeadDim", qkRopeHeadDim);
        m.put("valueHeadDim", valueHeadDim);
        m.put("feedForwardLength", feedForwardLength);
        m.put("expertFeedForwardLength", expertFeedForwardLength);
        m.put("expertCount", expertCount);
        m.put("sharedExpertCount", sharedExpertCount);
        m.put("expertsPerToken", expertsPerToken);
        m.put("expertGroupCount", expertGroupCount);
        m.put("expertGroupsUsed", expertGroupsUsed);
        m.put("normalizeExpertWeights", normalizeExpertWeights);
        m.put("expertWeightsScale", expertWeightsScale);
        m.put("scoring", scoring.huggingFaceName());
        m.put("selection", selection.huggingFaceName());
        m.put("leadingDenseBlocks", leadingDenseBlocks);
        m.put("rmsNormEpsilon", rmsNormEpsilon);
        m.put("ropeTheta", ropeTheta);
        m.put("ropeStyle", ropeStyle.name());
        m.put("ropeScaling", yarn == null ? "none" : String.valueOf(yarn));
        m.put("softmaxScale", softmaxScale());
        m.put("contextLength", contextLength);
        m.put("tiedEmbeddings", tiedEmbeddings);
        m.put("kvCacheBytesPerToken", kvCacheBytesPerToken());
        return m;
    }

    /** The same config cut to {@code layers} blocks, keeping at most that many leading dense blocks. */
    public DeepSeek2Config withLayerCount(int layers) {
        return new DeepSeek2Config(vocabularySize, embeddingLength, layers, headCount, queryLoraRank, kvLoraRank,
                qkNopeHeadDim, qkRopeHeadDim, valueHeadDim, feedForwardLength, expertFeedForwardLength, expertCount,
                sharedExpertCount, expertsPerToken, expertGroupCount, expertGroupsUsed, normalizeExpertWeights,
                expertWeightsScale, scoring, selection, Math.min(leadingDenseBlocks, layers), rmsNormEpsilon, ropeTheta,
                ropeStyle, yarn, contextLength, tiedEmbeddings);
    }

    /** The same config with the output projection tied to the embeddings. */
    DeepSeek2Config withTiedEmbeddings() {
        return new DeepSeek2Config(vocabularySize, embeddingLength, layerCount, headCount, queryLoraRank, kvLoraRank,
                qkNopeHeadDim, qkRopeHeadDim, valueHeadDim, feedForwardLength, expertFeedForwardLength, expertCount,
                sharedExpertCount, expertsPerToken, expertGroupCount, expertGroupsUsed, normalizeExpertWeights,
                expertWeightsScale, scoring, selection, leadingDenseBlocks, rmsNormEpsilon, ropeTheta, ropeStyle, yarn,
                contextLength, true);
    }

    /**
     * Checks every value and their consistency.
     *
     * @throws ModelFormatException naming {@code file} and the first value that is out of range
     */
    DeepSeek2Config validate(Path file) {
        check(file, vocabularySize > 0 && vocabularySize <= 16 * MAX_DIMENSION, "vocabulary size " + vocabularySize);
        check(file, embeddingLength > 0 && embeddingLength <= MAX_DIMENSION, "embedding length " + embeddingLength);
        check(file, layerCount > 0 && layerCount <= MAX_LAYERS, "layer count " + layerCount);
        check(file, headCount > 0 && headCount <= MAX_DIMENSION, "head count " + headCount);
        check(file, queryLoraRank >= 0 && queryLoraRank <= MAX_DIMENSION, "q LoRA rank " + queryLoraRank + " (0 for none)");
        check(file, kvLoraRank > 0 && kvLoraRank <= MAX_DIMENSION, "kv LoRA rank " + kvLoraRank);
        check(file, qkNopeHeadDim > 0 && qkNopeHeadDim <= MAX_DIMENSION, "qk_nope_head_dim " + qkNopeHeadDim);
        check(file, qkRopeHeadDim > 0 && qkRopeHeadDim % 2 == 0 && qkRopeHeadDim <= MAX_DIMENSION,
                "qk_rope_head_dim (RoPE dimension count) " + qkRopeHeadDim + " (must be even and positive)");
        check(file, valueHeadDim > 0 && valueHeadDim <= MAX_DIMENSION, "v_head_dim " + valueHeadDim);
        check(file, (long) headCount * Math.max(queryHeadDim(), valueHeadDim) <= 16L * MAX_DIMENSION,
                "head count × head width " + headCount + " × " + Math.max(queryHeadDim(), valueHeadDim));
        check(file, leadingDenseBlocks >= 0 && leadingDenseBlocks <= layerCount,
                "leading dense block count " + leadingDenseBlocks + " (0 to the layer count " + layerCount + ")");
        if (leadingDenseBlocks > 0) {
            check(file, feedForwardLength > 0 && feedForwardLength <= MAX_DIMENSION, "feed-forward length " + feedForwardLength);
        }
        if (hasMoeLayers()) {
            check(file, expertCount > 0 && expertCount <= 1 << 16, "expert count " + expertCount);
            check(file, expertsPerToken > 0 && expertsPerToken <= expertCount,
                    "experts per token " + expertsPerToken + " (1 to the expert count " + expertCount + ")");
            check(file, expertFeedForwardLength > 0 && expertFeedForwardLength <= MAX_DIMENSION,
                    "expert feed-forward length " + expertFeedForwardLength);
            check(file, sharedExpertCount >= 0 && sharedExpertCount <= 1 << 10, "shared expert count " + sharedExpertCount);
            check(file, expertGroupCount > 0 && expertCount % expertGroupCount == 0,
                    "expert group count " + expertGroupCount + " (must divide the expert count " + expertCount + ")");
            check(file, expertGroupsUsed > 0 && expertGroupsUsed <= expertGroupCount,
                    "expert groups used " + expertGroupsUsed + " (1 to the group count " + expertGroupCount + ")");
            if (selection != Selection.GREEDY) {
                check(file, (long) expertGroupsUsed * (expertCount / expertGroupCount) >= expertsPerToken,
                        "experts per token " + expertsPerToken + " exceed the " + expertGroupsUsed + " kept groups of "
                                + expertCount / expertGroupCount + " experts");
            }
            check(file, expertWeightsScale > 0 && Float.isFinite(expertWeightsScale), "expert weights scale " + expertWeightsScale);
        }
        check(file, rmsNormEpsilon > 0 && Float.isFinite(rmsNormEpsilon), "RMS norm epsilon " + rmsNormEpsilon);
        check(file, ropeTheta > 1 && Double.isFinite(ropeTheta), "RoPE theta " + ropeTheta);
        check(file, contextLength > 0, "context length " + contextLength);
        if (yarn != null) {
            check(file, yarn.factor() > 0 && Double.isFinite(yarn.factor()), "YaRN factor " + yarn.factor());
            check(file, yarn.originalContextLength() > 0, "YaRN original context length " + yarn.originalContextLength());
            check(file, yarn.betaFast() > 0 && yarn.betaSlow() > 0 && Double.isFinite(yarn.betaFast()) && Double.isFinite(yarn.betaSlow()),
                    "YaRN beta_fast/beta_slow " + yarn.betaFast() + "/" + yarn.betaSlow());
            check(file, yarn.mscale() >= 0 && yarn.mscaleAllDim() >= 0 && Double.isFinite(yarn.mscale())
                    && Double.isFinite(yarn.mscaleAllDim()), "YaRN mscale/mscale_all_dim " + yarn.mscale() + "/" + yarn.mscaleAllDim());
        }
        return this;
    }

    private static void check(Path file, boolean ok, String what) {
        if (!ok) throw new ModelFormatException(file, "invalid model hyper-parameter: " + what);
    }
}
