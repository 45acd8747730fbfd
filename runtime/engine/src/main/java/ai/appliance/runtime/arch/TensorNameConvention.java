package ai.appliance.runtime.arch;

/**
 * The model-level tensor names every decoder shares under each file convention (llama.cpp's GGUF, Hugging Face
 * checkpoints) and the prefix of a block's tensors; each architecture adds its own per-block names.
 */
public enum TensorNameConvention {
    GGUF("token_embd.weight", "output_norm.weight", "output.weight", "blk.%d."),
    HUGGING_FACE("model.embed_tokens.weight", "model.norm.weight", "lm_head.weight", "model.layers.%d.");

    private final String embedding;
    private final String outputNorm;
    private final String output;
    private final String layerPrefix;

    TensorNameConvention(String embedding, String outputNorm, String output, String layerPrefix) {
        this.embedding = embedding;
        this.outputNorm = outputNorm;
        this.output = output;
        this.layerPrefix = layerPrefix;
    }

    public String embedding() {
        return embedding;
    }

    public String outputNorm() {
        return outputNorm;
    }

    public String output() {
        return output;
    }

    /** The prefix of every tensor of block {@code index}, e.g. "blk.3." or "model.layers.3.". */
    public String layerPrefix(int index) {
        return layerPrefix.formatted(index);
    }
}
