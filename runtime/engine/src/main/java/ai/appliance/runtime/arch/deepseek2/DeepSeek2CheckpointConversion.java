package ai.appliance.runtime.arch.deepseek2;

import ai.appliance.runtime.arch.deepseek2.DeepSeek2TensorNames.ExpertMatrix;
import ai.appliance.runtime.arch.deepseek2.DeepSeek2TensorNames.Layer;
import ai.appliance.runtime.gguf.GgufWriter;
import ai.appliance.runtime.model.ModelFormatException;
import ai.appliance.runtime.model.ModelTensors;
import ai.appliance.runtime.quantize.FloatRows;
import ai.appliance.runtime.quantize.GgufModelMetadata;
import ai.appliance.runtime.quantize.HfTokenizerMetadata;
import ai.appliance.runtime.quantize.RowSource;
import ai.appliance.runtime.quantize.TensorEncoding;
import ai.appliance.runtime.tensor.GgmlType;
import ai.appliance.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Plans the GGUF Q8_0 or Q4_K file of a DeepSeek-V2/V3 Hugging Face checkpoint in the layout llama.cpp's current converter
 * writes: {@code kv_b_proj} split into {@code attn_k_b} (per head transposed, [heads, kv_lora, qk_nope]) and
 * {@code attn_v_b} ([heads, v, kv_lora]), the routed experts of a layer stacked into 3-D {@code ffn_*_exps} tensors
 * (experts outermost), vectors and the router kept in F32, every other matrix in the chosen type where its rows are
 * whole blocks ({@link TensorEncoding#targetFor}: Q4_K falls back to Q4_0, Q8_0 to F16). Multi-token-prediction
 * layers (beyond {@code num_hidden_layers}) are left out, as llama.cpp's converter does. F32, F16, BF16 and FP8 E4M3
 * (with its block scales) checkpoints convert tensor by tensor, so a checkpoint larger than memory streams through.
 */
final class DeepSeek2CheckpointConversion {
    private static final Pattern LAYER = Pattern.compile("model\\.layers\\.(\\d+)\\..*");

    private DeepSeek2CheckpointConversion() {
    }

    static void plan(DeepSeek2Architecture architecture, DeepSeek2Config c, ModelTensors checkpoint, GgufWriter writer,
                     GgmlType matrixType) {
        var folder = checkpoint.file();
        var hf = DeepSeek2TensorNames.HUGGING_FACE;
        var gg = DeepSeek2TensorNames.GGUF;
        var used = new HashSet<String>();
        var plan = new ArrayList<Runnable>();
        long[] parameters = {0};
        Converter convert = (hfName, ggufName, keepF32) -> {
            var t = source(checkpoint, hfName);
            used.add(hfName);
            parameters[0] += t.elementCount();
            var type = keepF32 ? GgmlType.F32 : TensorEncoding.targetFor(matrixType, t.shape());
            plan.add(() -> TensorEncoding.add(writer, ggufName, RowSource.of(t), type));
        };
        convert.add(hf.embedding(), gg.embedding(), false);
        for (int i = 0; i < c.layerCount(); i++) {
            convert.add(hf.layer(i, Layer.ATTENTION_NORM), gg.layer(i, Layer.ATTENTION_NORM), true);
            if (c.hasQueryLora()) {
                convert.add(hf.layer(i, Layer.Q_A), gg.layer(i, Layer.Q_A), false);
                convert.add(hf.layer(i, Layer.Q_A_NORM), gg.layer(i, Layer.Q_A_NORM), true);
                convert.add(hf.layer(i, Layer.Q_B), gg.layer(i, Layer.Q_B), false);
            } else {
                convert.add(hf.layer(i, Layer.Q), gg.layer(i, Layer.Q), false);
            }
            convert.add(hf.layer(i, Layer.KV_A_MQA), gg.layer(i, Layer.KV_A_MQA), false);
            convert.add(hf.layer(i, Layer.KV_A_NORM), gg.layer(i, Layer.KV_A_NORM), true);
            splitKvB(c, checkpoint, hf.layer(i, Layer.KV_B), gg.layer(i, Layer.K_B), gg.layer(i, Layer.V_B), writer, plan, parameters, matrixType);
            used.add(hf.layer(i, Layer.KV_B));
            convert.add(hf.layer(i, Layer.ATTENTION_OUTPUT), gg.layer(i, Layer.ATTENTION_OUTPUT), false);
            convert.add(hf.layer(i, Layer.FFN_NORM), gg.layer(i, Layer.FFN_NORM), true);
            if (!c.isMoeLayer(i)) {
                for (var l : List.of(Layer.GATE, Layer.UP, Layer.DOWN)) convert.add(hf.layer(i, l), gg.layer(i, l), false);
                continue;
            }
            convert.add(hf.layer(i, Layer.ROUTER), gg.layer(i, Layer.ROUTER), true);
            if (checkpoint.has(hf.layer(i, Layer.ROUTER_BIAS))) convert.add(hf.layer(i, Layer.ROUTER_BIAS), gg.layer(i, Layer.ROUTER_BIAS), true);
            stackExperts(c, checkpoint, i, ExpertMatrix.GATE, gg.layer(i, Layer.EXPERT_GATE), writer, plan, used, parameters, matrixType);
            stackExperts(c, checkpoint, i, ExpertMatrix.UP, gg.layer(i, Layer.EXPERT_UP), writer, plan, used, parameters, matrixType);
            stackExperts(c, checkpoint, i, ExpertMatrix.DOWN, gg.layer(i, Layer.EXPERT_DOWN), writer, plan, used, parameters, matrixType);
            if (c.sharedExpertCount() > 0) {
                for (var l : List.of(Layer.SHARED_GATE, Layer.SHARED_UP, Layer.SHARED_DOWN)) convert.add(hf.layer(i, l), gg.layer(i, l), false);
            }
        }
        convert.add(hf.outputNorm(), gg.outputNorm(), true);
        if (!c.tiedEmbeddings()) convert.add(hf.output(), gg.output(), false);
        for (var name : checkpoint.byName().keySet()) {
            if (used.contains(name) || name.endsWith("rotary_emb.inv_freq")) continue;
            var m = LAYER.matcher(name);
            if (m.matches() && Long.parseLong(m.group(1)) >= c.layerCount()) continue; // multi-token prediction
            if (name.equals(hf.output()) && c.tiedEmbeddings()) continue;
            throw new ModelFormatException(folder, "tensor '" + name + "' has no GGUF counterpart for " + c.architecture());
        }
        var name = GgufModelMetadata.nameFromFolder(folder.toAbsolutePath().normalize().getFileName().toString());
        architecture.writeGgufHyperParameters(writer, c, name, GgufModelMetadata.sizeLabel(parameters[0]),
                matrixType == GgmlType.Q4_K ? GgufModelMetadata.FILE_TYPE_Q4_K_S : GgufModelMetadata.FILE_TYPE_Q8_0);
        HfTokenizerMetadata.write(writer, folder, architecture.tokenizerPreset(c), c.vocabularySize());
        GgufModelMetadata.writeQuantizationVersion(writer);
        plan.forEach(Runnable::run);
    }

    @FunctionalInterface
    private interface Converter {
        void add(String huggingFaceName, String ggufName, boolean keepF32);
    }

    /** kv_b_proj [heads·(nope + v), kv_lora] → attn_k_b [heads, kv_lora, nope] (each head's k rows transposed) and attn_v_b [heads, v, kv_lora]. */
    private static void splitKvB(DeepSeek2Config c, ModelTensors checkpoint, String hfName, String kName, String vName,
                                 GgufWriter writer, List<Runnable> plan, long[] parameters, GgmlType matrixType) {
        var t = source(checkpoint, hfName);
        int heads = c.headCount();
        int nope = c.qkNopeHeadDim();
        int v = c.valueHeadDim();
        checkpoint.checked(t, (long) heads * (nope + v), c.kvLoraRank());
        parameters[0] += t.elementCount();
        var k = RowSource.headSlice(t, heads, 0, nope, true);
        var values = RowSource.headSlice(t, heads, nope, nope + v, false);
        plan.add(() -> TensorEncoding.add(writer, kName, k, TensorEncoding.targetFor(matrixType, k.shape())));
        plan.add(() -> TensorEncoding.add(writer, vName, values, TensorEncoding.targetFor(matrixType, values.shape())));
    }

    /** The layer's per-expert matrices of one kind as one [experts, rows, columns] tensor. */
    private static void stackExperts(DeepSeek2Config c, ModelTensors checkpoint, int layer, ExpertMatrix kind, String ggufName,
                                     GgufWriter writer, List<Runnable> plan, java.util.Set<String> used, long[] parameters,
                                     GgmlType matrixType) {
        var hf = DeepSeek2TensorNames.HUGGING_FACE;
        long hidden = c.embeddingLength();
        long eff = c.expertFeedForwardLength();
        long rows = kind == ExpertMatrix.DOWN ? hidden : eff;
        long columns = kind == ExpertMatrix.DOWN ? eff : hidden;
        var experts = new Tensor[c.expertCount()];
        for (int e = 0; e < experts.length; e++) {
            var name = hf.expert(layer, e, kind);
            experts[e] = checkpoint.checked(source(checkpoint, name), rows, columns);
            used.add(name);
            parameters[0] += experts[e].elementCount();
        }
        var stacked = RowSource.stack(List.of(experts));
        plan.add(() -> TensorEncoding.add(writer, ggufName, stacked, TensorEncoding.targetFor(matrixType, stacked.shape())));
    }

    private static Tensor source(ModelTensors checkpoint, String name) {
        var t = checkpoint.optional(name);
        if (t == null) throw new ModelFormatException(checkpoint.file(), "tensor '" + name + "' is missing");
        if (!FloatRows.isFloat(t.type())) {
            throw new ModelFormatException(checkpoint.file(), "tensor '" + name + "' is " + t.type() + "; quantize needs F32, F16, BF16 or FP8 E4M3 weights");
        }
        return t;
    }
}
