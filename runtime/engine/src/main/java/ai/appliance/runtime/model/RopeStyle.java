package ai.appliance.runtime.model;

/**
 * Which pairs of a head's dimensions RoPE rotates together.
 *
 * <p>Hugging Face rotates dimension i with i + headDim/2 ({@link #HALVES}). llama.cpp's GGUF
 * converter permutes the q/k rows of Llama models so that adjacent dimensions 2i, 2i+1 form the
 * pairs ({@link #ADJACENT}); Qwen2 GGUFs keep HALVES. Recording the style instead of permuting
 * rows back keeps the weights memory-mapped and untouched.
 */
public enum RopeStyle {
    HALVES,
    ADJACENT
}
