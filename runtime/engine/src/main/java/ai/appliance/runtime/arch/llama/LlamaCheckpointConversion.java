package ai.appliance.runtime.arch.llama;

import ai.appliance.runtime.gguf.GgufWriter;
import ai.appliance.runtime.model.ModelTensors;
import ai.appliance.runtime.quantize.GgufModelMetadata;
import ai.appliance.runtime.quantize.HfTokenizerMetadata;
import ai.appliance.runtime.quantize.TensorEncoding;
import ai.appliance.runtime.quantize.FloatRows;
import ai.appliance.runtime.model.ModelFormatException;
import ai.appliance.runtime.tensor.GgmlType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntUnaryOperator;

/**
 * Plans the GGUF Q8_0 file of a Hugging Face checkpoint as llama.cpp's {@code convert_hf_to_gguf.py
 * --outtype q8_0} writes it: GGUF tensor names in the checkpoint's (sorted) tensor order, Llama q/k
 * rows permuted for adjacent-pair RoPE, a {@code rope_freqs} tensor for Llama-3 scaling, and the
 * tokenizer metadata.
 */
final class LlamaCheckpointConversion {
    private LlamaCheckpointConversion() {
    }

    /** Fills {@code writer} from an opened checkpoint; the checkpoint must stay open until the writer has written. */
    static void plan(LlamaArchitecture architecture, LlamaConfig config, ModelTensors checkpoint, GgufWriter writer) {
        var folder = checkpoint.file();
        var names = ggufNames(config.layerCount());
        var tensors = new TreeMap<>(checkpoint.byName());
        var ropeFactors = config.variant().ggufPermutesQueryKey() && config.ropeScaling() != null
                ? Llama3RopeFactors.compute(config.ropeScaling(), config.ropeTheta(), config.headDimension()) : null;
        long parameters = 0;
        var plan = new ArrayList<Runnable>();
        if (ropeFactors != null) {
            plan.add(() -> writer.addTensor("rope_freqs.weight", GgmlType.F32, new long[] {ropeFactors.length}, sink -> {
                var out = sink.reserve(4 * ropeFactors.length);
                for (float f : ropeFactors) out.putFloat(f);
            }));
        }
        for (var e : tensors.entrySet()) {
            var hfName = e.getKey();
            var tensor = e.getValue();
            var ggufName = names.get(hfName);
            if (ggufName == null) {
                if (hfName.endsWith("rotary_emb.inv_freq")) continue; // recomputed from the config, as llama.cpp does
                if (hfName.equals(LlamaTensorNames.HUGGING_FACE.output()) && config.tiedEmbeddings()) continue;
                throw new ModelFormatException(folder, "tensor '" + hfName + "' has no GGUF counterpart for " + config.architecture());
            }
            if (!FloatRows.isFloat(tensor.type())) {
                throw new ModelFormatException(folder, "tensor '" + hfName + "' is " + tensor.type() + "; quantize needs F32, F16 or BF16");
            }
            parameters += tensor.elementCount();
            IntUnaryOperator rows = r -> r;
            if (config.variant().ggufPermutesQueryKey() && (ggufName.endsWith("attn_q.weight") || ggufName.endsWith("attn_k.weight"))) {
                int headDim = config.headDimension();
                rows = r -> QueryKeyPermutation.huggingFaceRow(r, headDim);
            }
            var rowOrder = rows;
            plan.add(() -> TensorEncoding.add(writer, ggufName, tensor, TensorEncoding.q8Target(tensor), rowOrder));
        }
        var name = GgufModelMetadata.nameFromFolder(folder.toAbsolutePath().normalize().getFileName().toString());
        architecture.writeGgufHyperParameters(writer, config, name, GgufModelMetadata.sizeLabel(parameters), GgufModelMetadata.FILE_TYPE_Q8_0);
        HfTokenizerMetadata.write(writer, folder, config.variant().tokenizerPreset(), config.vocabularySize());
        GgufModelMetadata.writeQuantizationVersion(writer);
        plan.forEach(Runnable::run);
    }

    /** Hugging Face name → GGUF name of every weight a model of this depth can have. */
    static Map<String, String> ggufNames(int layers) {
        var map = new HashMap<String, String>();
        var hf = LlamaTensorNames.HUGGING_FACE;
        var gg = LlamaTensorNames.GGUF;
        map.put(hf.embedding(), gg.embedding());
        map.put(hf.outputNorm(), gg.outputNorm());
        map.put(hf.output(), gg.output());
        for (int i = 0; i < layers; i++) {
            for (var w : LlamaTensorNames.Layer.values()) map.put(hf.layer(i, w), gg.layer(i, w));
        }
        return map;
    }
}
