package ai.appliance.runtime.quantize;

import ai.appliance.runtime.gguf.GgufWriter;
import ai.appliance.runtime.model.Architecture;
import ai.appliance.runtime.model.ModelConfig;

/**
 * The general.* and {@code <arch>.*} hyper-parameter metadata of a model, with the keys, types and
 * order llama.cpp's converter writes, so llama.cpp and this runtime read the files alike.
 */
public final class GgufModelMetadata {
    /** general.file_type values (llama_ftype). */
    public static final int FILE_TYPE_F32 = 0;
    public static final int FILE_TYPE_F16 = 1;
    public static final int FILE_TYPE_Q4_0 = 2;
    public static final int FILE_TYPE_Q8_0 = 7;
    public static final int FILE_TYPE_Q4_K_S = 14;
    public static final int FILE_TYPE_Q6_K = 18;
    public static final int FILE_TYPE_BF16 = 32;
    public static final int QUANTIZATION_VERSION = 2;

    private GgufModelMetadata() {
    }

    public static String architectureName(Architecture architecture) {
        return architecture == Architecture.QWEN2 ? "qwen2" : "llama";
    }

    /**
     * Writes everything up to (and including) general.file_type and the Llama vocabulary keys; tokenizer metadata follows.
     *
     * @param sizeLabel e.g. {@link #sizeLabel(long)} of the parameter count, or the size in the model's name ("1.5B")
     */
    public static void writeHyperParameters(GgufWriter w, ModelConfig c, String name, String sizeLabel, int fileType) {
        var arch = architectureName(c.architecture());
        var p = arch + ".";
        w.putString("general.architecture", arch);
        w.putString("general.type", "model");
        w.putString("general.name", name);
        w.putString("general.size_label", sizeLabel);
        w.putUInt32(p + "block_count", c.layerCount());
        w.putUInt32(p + "context_length", c.contextLength());
        w.putUInt32(p + "embedding_length", c.embeddingLength());
        w.putUInt32(p + "feed_forward_length", c.feedForwardLength());
        w.putUInt32(p + "attention.head_count", c.headCount());
        w.putUInt32(p + "attention.head_count_kv", c.keyValueHeadCount());
        w.putFloat32(p + "rope.freq_base", (float) c.ropeTheta());
        w.putFloat32(p + "attention.layer_norm_rms_epsilon", c.rmsNormEpsilon());
        boolean llama = c.architecture() == Architecture.LLAMA;
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

    /** Written last, as llama.cpp does. */
    public static void writeQuantizationVersion(GgufWriter w) {
        w.putUInt32("general.quantization_version", QUANTIZATION_VERSION);
    }

    /** llama.cpp's size label: "864K", "1.8B", "8.0B" (at least two significant digits). */
    public static String sizeLabel(long parameters) {
        double scaled;
        String suffix;
        if (parameters > 1e12) {
            scaled = parameters * 1e-12;
            suffix = "T";
        } else if (parameters > 1e9) {
            scaled = parameters * 1e-9;
            suffix = "B";
        } else if (parameters > 1e6) {
            scaled = parameters * 1e-6;
            suffix = "M";
        } else {
            scaled = parameters * 1e-3;
            suffix = "K";
        }
        var integerDigits = Long.toString(Math.round(scaled)).replaceFirst("^0+", "");
        int decimals = Math.max(2 - integerDigits.length(), 0);
        return String.format(java.util.Locale.ROOT, "%." + decimals + "f%s", scaled, suffix);
    }

    /** "tiny-qwen2" → "Tiny Qwen2", as llama.cpp names models after their folder. */
    public static String nameFromFolder(String folderName) {
        var words = folderName.split("[-_ ]+");
        var out = new StringBuilder();
        for (var word : words) {
            if (word.isEmpty()) continue;
            if (!out.isEmpty()) out.append(' ');
            out.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
        }
        return out.toString();
    }
}
