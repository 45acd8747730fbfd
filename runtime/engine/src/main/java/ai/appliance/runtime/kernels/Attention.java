package ai.appliance.runtime.kernels;

/**
 * Scaled dot-product attention of one query head over the cached keys and values of its
 * key-value head (grouped-query attention shares one kv head among several query heads).
 * The caches hold one row of {@code kvStride} floats per position.
 */
public final class Attention {
    private Attention() {
    }

    /**
     * @param positions how many cached positions the query attends to (causal: up to and including its own)
     * @param scores    scratch of at least {@code positions} floats
     */
    public static void head(float[] q, int qOffset, float[] keys, float[] values, int kvOffset, int kvStride,
                            int positions, int headDimension, float[] scores, float[] out, int outOffset) {
        float scale = (float) (1.0 / Math.sqrt(headDimension));
        for (int p = 0; p < positions; p++) {
            scores[p] = VectorDot.dot(q, qOffset, keys, p * kvStride + kvOffset, headDimension) * scale;
        }
        Softmax.inPlace(scores, 0, positions);
        java.util.Arrays.fill(out, outOffset, outOffset + headDimension, 0f);
        for (int p = 0; p < positions; p++) {
            VectorDot.axpy(scores[p], values, p * kvStride + kvOffset, out, outOffset, headDimension);
        }
    }
}
