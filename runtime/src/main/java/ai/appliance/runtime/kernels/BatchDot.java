package ai.appliance.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The register-blocked core of the batched matmul: 4 decoded weight rows times 3 activation rows
 * in one sweep, 12 accumulators, so each loaded vector feeds 3 or 4 FMAs instead of one.
 */
public final class BatchDot {
    public static final int WEIGHT_ROWS = 4;
    public static final int ACTIVATION_ROWS = 3;

    private BatchDot() {
    }

    /**
     * out[(b0 + j)·outStride + r0 + i] = w[i·n ..] · x[(b0 + j)·n ..] for i &lt; 4, j &lt; 3, where w holds
     * 4 consecutive rows of n floats.
     */
    public static void dot4x3(float[] w, float[] x, int b0, int n, float[] out, int outStride, int r0) {
        var F = VectorDot.F;
        int L = VectorDot.L;
        int x0 = b0 * n;
        int x1 = x0 + n;
        int x2 = x1 + n;
        var a00 = FloatVector.zero(F); var a01 = FloatVector.zero(F); var a02 = FloatVector.zero(F);
        var a10 = FloatVector.zero(F); var a11 = FloatVector.zero(F); var a12 = FloatVector.zero(F);
        var a20 = FloatVector.zero(F); var a21 = FloatVector.zero(F); var a22 = FloatVector.zero(F);
        var a30 = FloatVector.zero(F); var a31 = FloatVector.zero(F); var a32 = FloatVector.zero(F);
        int k = 0;
        if (VectorDot.ENABLED) {
            for (; k + L <= n; k += L) {
                var v0 = FloatVector.fromArray(F, x, x0 + k);
                var v1 = FloatVector.fromArray(F, x, x1 + k);
                var v2 = FloatVector.fromArray(F, x, x2 + k);
                var w0 = FloatVector.fromArray(F, w, k);
                a00 = w0.fma(v0, a00); a01 = w0.fma(v1, a01); a02 = w0.fma(v2, a02);
                var w1 = FloatVector.fromArray(F, w, n + k);
                a10 = w1.fma(v0, a10); a11 = w1.fma(v1, a11); a12 = w1.fma(v2, a12);
                var w2 = FloatVector.fromArray(F, w, 2 * n + k);
                a20 = w2.fma(v0, a20); a21 = w2.fma(v1, a21); a22 = w2.fma(v2, a22);
                var w3 = FloatVector.fromArray(F, w, 3 * n + k);
                a30 = w3.fma(v0, a30); a31 = w3.fma(v1, a31); a32 = w3.fma(v2, a32);
            }
        }
        store(a00, 0, 0, w, x, b0, n, k, out, outStride, r0);
        store(a01, 0, 1, w, x, b0, n, k, out, outStride, r0);
        store(a02, 0, 2, w, x, b0, n, k, out, outStride, r0);
        store(a10, 1, 0, w, x, b0, n, k, out, outStride, r0);
        store(a11, 1, 1, w, x, b0, n, k, out, outStride, r0);
        store(a12, 1, 2, w, x, b0, n, k, out, outStride, r0);
        store(a20, 2, 0, w, x, b0, n, k, out, outStride, r0);
        store(a21, 2, 1, w, x, b0, n, k, out, outStride, r0);
        store(a22, 2, 2, w, x, b0, n, k, out, outStride, r0);
        store(a30, 3, 0, w, x, b0, n, k, out, outStride, r0);
        store(a31, 3, 1, w, x, b0, n, k, out, outStride, r0);
        store(a32, 3, 2, w, x, b0, n, k, out, outStride, r0);
    }

    /** Reduces one accumulator, adds the scalar tail from column {@code k} on, and stores it. */
    private static void store(FloatVector acc, int i, int j, float[] w, float[] x, int b0, int n, int k,
                              float[] out, int outStride, int r0) {
        float s = acc.reduceLanes(VectorOperators.ADD);
        int xr = (b0 + j) * n;
        for (int t = k; t < n; t++) s += w[i * n + t] * x[xr + t];
        out[(b0 + j) * outStride + r0 + i] = s;
    }
}
