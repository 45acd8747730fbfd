package ai.appliance.runtime.arch.llama;

import ai.appliance.runtime.arch.ModelArchitecture;
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
 * Llama-3 and Qwen2, the architectures of every DeepSeek-R1 distill: grouped-query attention with RoPE, SwiGLU MLP,
 * q/k/v bias for Qwen2, Llama-3 RoPE scaling for Llama.
 */
public final class LlamaArchitecture implements ModelArchitecture {
    /** Prompt tokens per pass through the layers. */
    public static final int CHUNK_TOKENS = LlamaTransformer.DEFAULT_CHUNK_TOKENS;

    @Override
    public String name() {
        return "llama";
    }

    @Override
    public List<String> ggufNames() {
        return List.of(LlamaVariant.QWEN2.ggufName(), LlamaVariant.LLAMA.ggufName());
    }

    @Override
    public List<String> huggingFaceNames() {
        return List.of(LlamaVariant.QWEN2.huggingFaceName(), LlamaVariant.QWEN2.ggufName(),
                LlamaVariant.LLAMA.huggingFaceName(), LlamaVariant.LLAMA.ggufName());
    }

    @Override
    public LlamaConfig ggufConfig(GgufFile gguf) {
        return LlamaGgufConfig.read(gguf);
    }

    @Override
    public LlamaConfig huggingFaceConfig(Path configJson, JsonNode root, Set<String> tensorNames) {
        var archs = root.path("architectures");
        var name = archs.isArray() && !archs.isEmpty() ? archs.get(0).asText() : root.path("model_type").asText("");
        var config = LlamaHfConfig.read(configJson, root, LlamaVariant.byHuggingFaceName(name));
        // A checkpoint without lm_head ties the output projection to the embeddings, whatever the config says.
        boolean tied = config.tiedEmbeddings() || !tensorNames.contains(LlamaTensorNames.HUGGING_FACE.output());
        return tied == config.tiedEmbeddings() ? config : config.withTiedEmbeddings();
    }

    @Override
    public LlamaWeights weights(ModelConfig config, ModelTensors tensors) {
        var naming = tensors.gguf() ? LlamaTensorNames.GGUF : LlamaTensorNames.HUGGING_FACE;
        return new LlamaWeightsAssembler(tensors.file(), llama(config), naming, tensors::optional).assemble();
    }

    @Override
    public LanguageModel newModel(ModelConfig config, ModelWeights weights, Backend backend) {
        if (backend.device() != null) {
            return new LlamaDeviceTransformer(llama(config), (LlamaWeights) weights, backend, CHUNK_TOKENS);
        }
        return new LlamaTransformer(llama(config), (LlamaWeights) weights, backend, CHUNK_TOKENS);
    }

    @Override
    public void planGgufFromCheckpoint(ModelConfig config, ModelTensors checkpoint, GgufWriter writer, GgmlType matrixType) {
        if (matrixType != GgmlType.Q8_0) {
            throw new ModelFormatException(checkpoint.file(), "quantize writes Llama and Qwen2 checkpoints as Q8_0 only, not " + matrixType);
        }
        LlamaCheckpointConversion.plan(this, llama(config), checkpoint, writer);
    }

    @Override
    public List<SyntheticModelSpec> syntheticModels() {
        return LlamaSyntheticModels.all(this);
    }

    @Override
    public void planSyntheticTensors(ModelConfig config, SyntheticTensors plan) {
        var c = llama(config);
        var names = LlamaTensorNames.GGUF;
        long hidden = c.embeddingLength();
        long q = (long) c.headCount() * c.headDimension();
        long kv = (long) c.keyValueHeadCount() * c.headDimension();
        long ffn = c.feedForwardLength();
        if (c.variant().ggufPermutesQueryKey() && c.ropeScaling() != null) {
            plan.values(LlamaGgufConfig.ROPE_FREQS, Llama3RopeFactors.compute(c.ropeScaling(), c.ropeTheta(), c.headDimension()));
        }
        plan.matrix(names.embedding(), c.vocabularySize(), hidden);
        for (int i = 0; i < c.layerCount(); i++) {
            plan.ones(names.layer(i, LlamaTensorNames.Layer.ATTENTION_NORM), hidden);
            plan.matrix(names.layer(i, LlamaTensorNames.Layer.QUERY), q, hidden);
            plan.matrix(names.layer(i, LlamaTensorNames.Layer.KEY), kv, hidden);
            plan.matrix(names.layer(i, LlamaTensorNames.Layer.VALUE), kv, hidden);
            if (c.variant().hasQueryKeyValueBias()) {
                plan.vector(names.layer(i, LlamaTensorNames.Layer.QUERY_BIAS), q);
                plan.vector(names.layer(i, LlamaTensorNames.Layer.KEY_BIAS), kv);
                plan.vector(names.layer(i, LlamaTensorNames.Layer.VALUE_BIAS), kv);
            }
            plan.matrix(names.layer(i, LlamaTensorNames.Layer.ATTENTION_OUTPUT), hidden, q);
            plan.ones(names.layer(i, LlamaTensorNames.Layer.FEED_FORWARD_NORM), hidden);
            plan.matrix(names.layer(i, LlamaTensorNames.Layer.GATE), ffn, hidden);
            plan.matrix(names.layer(i, LlamaTensorNames.Layer.UP), ffn, hidden);
            plan.matrix(names.layer(i, LlamaTensorNames.Layer.DOWN), hidden, ffn);
        }
        plan.ones(names.outputNorm(), hidden);
        if (!c.tiedEmbeddings()) plan.matrix(names.output(), c.vocabularySize(), hidden);
    }

    /** Everything up to (and including) general.file_type and the Llama vocabulary keys, as llama.cpp's converter writes. */
    @Override
    public void writeGgufHyperParameters(GgufWriter w, ModelConfig config, String name, String sizeLabel, int fileType) {
        var c = llama(config);
        var arch = c.variant().ggufName();
        var p = arch + ".";
        GgufModelMetadata.writeGeneral(w, arch, name, sizeLabel);
        w.putUInt32(p + "block_count", c.layerCount());
        w.putUInt32(p + "context_length", c.contextLength());
        w.putUInt32(p + "embedding_length", c.embeddingLength());
        w.putUInt32(p + "feed_forward_length", c.feedForwardLength());
        w.putUInt32(p + "attention.head_count", c.headCount());
        w.putUInt32(p + "attention.head_count_kv", c.keyValueHeadCount());
        w.putFloat32(p + "rope.freq_base", (float) c.ropeTheta());
        w.putFloat32(p + "attention.layer_norm_rms_epsilon", c.rmsNormEpsilon());
        boolean llama = c.variant() == LlamaVariant.LLAMA;
        if (llama || c.headDimension() != c.embeddingLength() / c.headCount()) {
            w.putUInt32(p + "attention.key_length", c.headDimension());
            w.putUInt32(p + "attention.value_length", c.headDimension());
        }
        w.putUInt32("general.file_type", fileType);
        if (llama) {
            w.putUInt32(p + "vocab_size", c.vocabularySize());
            w.putUInt32(p + "rope.dimension_count", c.headDimension());
        }
    }

    @Override
    public String tokenizerPreset(ModelConfig config) {
        return llama(config).variant().tokenizerPreset();
    }

    @Override
    public LlamaConfig withLayerCount(ModelConfig config, int layers) {
        return llama(config).withLayerCount(layers);
    }

    private static LlamaConfig llama(ModelConfig config) {
        if (config instanceof LlamaConfig c) return c;
        throw new IllegalArgumentException("not a Llama/Qwen2 config: " + config.architecture());
    }
}
