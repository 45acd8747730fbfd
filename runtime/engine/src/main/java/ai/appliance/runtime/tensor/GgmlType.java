package ai.appliance.runtime.tensor;

/**
 * Element types of tensors in model files, with their ggml type ids and block layout.
 * Quantized types store {@code blockSize} elements in {@code bytesPerBlock} bytes.
 */
public enum GgmlType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q4_0(2, 32, 18),
    Q8_0(8, 32, 34),
    Q4_K(12, 256, 144),
    Q6_K(14, 256, 210),
    BF16(30, 1, 2);

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

    /** The type with this ggml id, or null when the id is not one this runtime computes with. */
    public static GgmlType byId(int id) {
        for (var t : values()) {
            if (t.id == id) return t;
        }
        return null;
    }
}
