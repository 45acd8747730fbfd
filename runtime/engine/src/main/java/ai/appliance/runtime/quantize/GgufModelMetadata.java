package ai.appliance.runtime.quantize;

import ai.appliance.runtime.gguf.GgufWriter;

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
    public static final int FILE_TYPE_Q4_K_M = 15;
    public static final int FILE_TYPE_Q6_K = 18;
    public static final int FILE_TYPE_BF16 = 32;
    public static final int QUANTIZATION_VERSION = 2;

    private GgufModelMetadata() {
    }

    /** general.architecture, type, name and size label, the first keys llama.cpp's converter writes. */
    public static void writeGeneral(GgufWriter w, String architecture, String name, String sizeLabel) {
        w.putString("general.architecture", architecture);
        w.putString("general.type", "model");
        w.putString("general.name", name);
        w.putString("general.size_label", sizeLabel);
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
