package ai.appliance.runtime.tensor;

/**
 * Element types of tensors in model files, with their ggml type ids and block layout.
 * Quantized types store {@code blockSize} elements in {@code bytesPerBlock} bytes.
 *
 * <p>{@link #FP8_E4M3} has no ggml id: it exists in memory only, for safetensors checkpoints stored
 * in FP8 (DeepSeek-V3/R1's format). Its id is negative so that it cannot collide with a real one;
 * {@link #byId} never returns it, so no GGUF file can claim it, and the GGUF writer refuses it.
 */
public enum GgmlType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q4_0(2, 32, 18),
    Q8_0(8, 32, 34),
    Q4_K(12, 256, 144),
    Q6_K(14, 256, 210),
    BF16(30, 1, 2),
    /**
     * FP8 e4m3fn (1 sign, 4 exponent bits of bias 7, 3 mantissa bits, subnormals, no infinities,
     * 0x7F and 0xFF NaN, largest 448), one byte per element. Its values are multiplied by the
     * tensor's {@link BlockScales}: an FP8 tensor without them cannot be used. In memory only.
     */
    FP8_E4M3(-1, 1, 1);

    private final int id;
    private final int blockSize;
    private final int bytesPerBlock;

    GgmlType(int id, int blockSize, int bytesPerBlock) {
        this.id = id;
        this.blockSize = blockSize;
        this.bytesPerBlock = bytesPerBlock;
    }

    public int id() { return id; }
    public int blockSize() { return blockSize; }
    public int bytesPerBlock() { return bytesPerBlock; }

    /** Bytes that {@code elements} values of this type occupy; elements must be a multiple of the block size. */
    public long bytesFor(long elements) {
        if (elements % blockSize != 0) {
            throw new IllegalArgumentException(this + " needs a multiple of " + blockSize + " elements, got " + elements);
        }
        return elements / blockSize * bytesPerBlock;
    }

    /** Whether GGUF files can hold this type: false for the in-memory-only {@link #FP8_E4M3}. */
    public boolean inGguf() {
        return id >= 0;
    }

    /**
     * The type with this ggml id, or null when the id is not one this runtime computes with (in-memory
     * types such as {@link #FP8_E4M3} included: no id read from a file maps to them).
     */
    public static GgmlType byId(int id) {
        for (var t : values()) {
            if (t.id == id && t.inGguf()) return t;
        }
        return null;
    }
}
