package ai.appliance.runtime.kernels;

import static ai.appliance.runtime.kernels.VectorDot.F;
import static ai.appliance.runtime.kernels.VectorDot.L;

import ai.appliance.runtime.tensor.BlockScales;
import ai.appliance.runtime.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Weight matrix times several activation rows (prompt processing, batched decode), tiled: a tile
 * of {@link #ROW_TILE} weight rows is decoded to F32 once, then multiplied by the activation rows
 * {@link #TOKEN_TILE} at a time, so each inner step loads 4 weight and 4 activation vectors for 16
 * fused multiply-adds held in registers (an untiled dot product needs two loads per multiply-add,
 * and loads, not arithmetic, would bound it). Results equal {@code VectorDot.dot} on the decoded row
 * up to float summation order.
 *
 * <p>The 16 accumulators of a 4×4 tile fit AVX-512's 32 vector registers but not AVX2's 16: there
 * C2 keeps 7 of them on the stack, and every step then waits on a store-to-load round trip. With 8
 * float lanes the tile is therefore computed as two 2×4 halves (8 accumulators, 2 weight and 1
 * activation register). Measured: about 15 % more FLOP/s at 64 activation rows on a Zen 3 (AVX2)
 * machine, no change at 8 in JMH, 11-14 % faster batched decode on a Xeon run in AVX2 mode
 * (docs/benchmarks.md, "Known limits").
 */
public final class MatMul {
    public static final int ROW_TILE = 4;
    static final int TOKEN_TILE = 4;
    /** Whether a 4×4 tile's accumulators fit in registers: 16 float lanes means AVX-512 and its 32 registers. */
    private static final boolean SIXTEEN_ACCUMULATORS = L >= 16;

    private MatMul() {
    }

    /** Floats of scratch that {@link #rows} needs for rows of {@code columns} values. */
    public static int scratchSize(int columns) {
        return ROW_TILE * columns;
    }

    /**
     * out[b·rows + r] = Σ_c W[r][c] · x[b·columns + c] for r in [rowFrom, rowTo) and b &lt; batch,
     * where row r of W is {@code columns} values of {@code type} at byte {@code r · rowBytes} of {@code w}.
     */
    public static void rows(GgmlType type, MemorySegment w, long rowBytes, int columns, int rows, int rowFrom, int rowTo,
                            float[] x, int batch, float[] out, float[] scratch) {
        rows(type, w, null, rowBytes, columns, rows, rowFrom, rowTo, x, batch, out, scratch);
    }

    /**
     * As {@link #rows(GgmlType, MemorySegment, long, int, int, int, int, float[], int, float[], float[])}
     * with the block scales of a type that keeps them apart ({@link GgmlType#FP8_E4M3}; null for the others):
     * each row is decoded with its own block row's scales.
     */
    public static void rows(GgmlType type, MemorySegment w, BlockScales scales, long rowBytes, int columns, int rows,
                            int rowFrom, int rowTo, float[] x, int batch, float[] out, float[] scratch) {
        boolean fp8 = type == GgmlType.FP8_E4M3;
        if (fp8 && scales == null) throw new IllegalArgumentException(type + " rows need their block scales");
        for (int r = rowFrom; r < rowTo; r += ROW_TILE) {
            int tile = Math.min(ROW_TILE, rowTo - r);
            for (int i = 0; i < tile; i++) {
                if (fp8) {
                    VectorDequantize.fp8Row(w, (r + i) * rowBytes, columns, scales.values(), scales.rowOffset(r + i),
                            scales.columnBlock(), scratch, i * columns);
                } else {
                    VectorDequantize.values(type, w, (r + i) * rowBytes, scratch, i * columns, columns);
                }
            }
            if (tile == ROW_TILE && VectorDot.ENABLED) {
                int b = 0;
                for (; b + TOKEN_TILE <= batch; b += TOKEN_TILE) {
                    if (SIXTEEN_ACCUMULATORS) {
                        tile4x4(scratch, columns, x, b, out, rows, r);
                    } else {
                        tile2x4(scratch, 0, columns, x, b, out, rows, r);
                        tile2x4(scratch, 2 * columns, columns, x, b, out, rows, r + 2);
                    }
                }
                for (; b < batch; b++) tile4x1(scratch, columns, x, b, out, rows, r);
            } else {
                for (int i = 0; i < tile; i++) {
                    for (int b = 0; b < batch; b++) {
                        out[b * rows + r + i] = VectorDot.dot(scratch, i * columns, x, b * columns, columns);
                    }
                }
            }
        }
    }

    /** Rows r..r+3 (decoded in w) times activation rows b..b+3. */
    private static void tile4x4(float[] w, int n, float[] x, int b, float[] out, int rows, int r) {
        int x0 = b * n, x1 = x0 + n, x2 = x1 + n, x3 = x2 + n;
        var a00 = FloatVector.zero(F); var a01 = FloatVector.zero(F); var a02 = FloatVector.zero(F); var a03 = FloatVector.zero(F);
        var a10 = FloatVector.zero(F); var a11 = FloatVector.zero(F); var a12 = FloatVector.zero(F); var a13 = FloatVector.zero(F);
        var a20 = FloatVector.zero(F); var a21 = FloatVector.zero(F); var a22 = FloatVector.zero(F); var a23 = FloatVector.zero(F);
        var a30 = FloatVector.zero(F); var a31 = FloatVector.zero(F); var a32 = FloatVector.zero(F); var a33 = FloatVector.zero(F);
        int c = 0;
        int upper = n - n % L;
        for (; c < upper; c += L) {
            var w0 = FloatVector.fromArray(F, w, c);
            var w1 = FloatVector.fromArray(F, w, n + c);
            var w2 = FloatVector.fromArray(F, w, 2 * n + c);
            var w3 = FloatVector.fromArray(F, w, 3 * n + c);
            var v = FloatVector.fromArray(F, x, x0 + c);
            a00 = w0.fma(v, a00); a10 = w1.fma(v, a10); a20 = w2.fma(v, a20); a30 = w3.fma(v, a30);
            v = FloatVector.fromArray(F, x, x1 + c);
            a01 = w0.fma(v, a01); a11 = w1.fma(v, a11); a21 = w2.fma(v, a21); a31 = w3.fma(v, a31);
            v = FloatVector.fromArray(F, x, x2 + c);
            a02 = w0.fma(v, a02); a12 = w1.fma(v, a12); a22 = w2.fma(v, a22); a32 = w3.fma(v, a32);
            v = FloatVector.fromArray(F, x, x3 + c);
            a03 = w0.fma(v, a03); a13 = w1.fma(v, a13); a23 = w2.fma(v, a23); a33 = w3.fma(v, a33);
        }
        int o0 = b * rows + r, o1 = o0 + rows, o2 = o1 + rows, o3 = o2 + rows;
        out[o0] = a00.reduceLanes(VectorOperators.ADD) + tail(w, 0, x, x0, c, n);
        out[o0 + 1] = a10.reduceLanes(VectorOperators.ADD) + tail(w, n, x, x0, c, n);
        out[o0 + 2] = a20.reduceLanes(VectorOperators.ADD) + tail(w, 2 * n, x, x0, c, n);
        out[o0 + 3] = a30.reduceLanes(VectorOperators.ADD) + tail(w, 3 * n, x, x0, c, n);
        out[o1] = a01.reduceLanes(VectorOperators.ADD) + tail(w, 0, x, x1, c, n);
        out[o1 + 1] = a11.reduceLanes(VectorOperators.ADD) + tail(w, n, x, x1, c, n);
        out[o1 + 2] = a21.reduceLanes(VectorOperators.ADD) + tail(w, 2 * n, x, x1, c, n);
        out[o1 + 3] = a31.reduceLanes(VectorOperators.ADD) + tail(w, 3 * n, x, x1, c, n);
        out[o2] = a02.reduceLanes(VectorOperators.ADD) + tail(w, 0, x, x2, c, n);
        out[o2 + 1] = a12.reduceLanes(VectorOperators.ADD) + tail(w, n, x, x2, c, n);
        out[o2 + 2] = a22.reduceLanes(VectorOperators.ADD) + tail(w, 2 * n, x, x2, c, n);
        out[o2 + 3] = a32.reduceLanes(VectorOperators.ADD) + tail(w, 3 * n, x, x2, c, n);
        out[o3] = a03.reduceLanes(VectorOperators.ADD) + tail(w, 0, x, x3, c, n);
        out[o3 + 1] = a13.reduceLanes(VectorOperators.ADD) + tail(w, n, x, x3, c, n);
        out[o3 + 2] = a23.reduceLanes(VectorOperators.ADD) + tail(w, 2 * n, x, x3, c, n);
        out[o3 + 3] = a33.reduceLanes(VectorOperators.ADD) + tail(w, 3 * n, x, x3, c, n);
    }

    /** Rows r, r+1 (decoded in w from wOffset, n apart) times activation rows b..b+3. */
    private static void tile2x4(float[] w, int wOffset, int n, float[] x, int b, float[] out, int rows, int r) {
        int x0 = b * n, x1 = x0 + n, x2 = x1 + n, x3 = x2 + n;
        var a00 = FloatVector.zero(F); var a01 = FloatVector.zero(F); var a02 = FloatVector.zero(F); var a03 = FloatVector.zero(F);
        var a10 = FloatVector.zero(F); var a11 = FloatVector.zero(F); var a12 = FloatVector.zero(F); var a13 = FloatVector.zero(F);
        int c = 0;
        int upper = n - n % L;
        for (; c < upper; c += L) {
            var w0 = FloatVector.fromArray(F, w, wOffset + c);
            var w1 = FloatVector.fromArray(F, w, wOffset + n + c);
            var v = FloatVector.fromArray(F, x, x0 + c);
            a00 = w0.fma(v, a00); a10 = w1.fma(v, a10);
            v = FloatVector.fromArray(F, x, x1 + c);
            a01 = w0.fma(v, a01); a11 = w1.fma(v, a11);
            v = FloatVector.fromArray(F, x, x2 + c);
            a02 = w0.fma(v, a02); a12 = w1.fma(v, a12);
            v = FloatVector.fromArray(F, x, x3 + c);
            a03 = w0.fma(v, a03); a13 = w1.fma(v, a13);
        }
        int o0 = b * rows + r, o1 = o0 + rows, o2 = o1 + rows, o3 = o2 + rows;
        int w1 = wOffset + n;
        out[o0] = a00.reduceLanes(VectorOperators.ADD) + tail(w, wOffset, x, x0, c, n);
        out[o0 + 1] = a10.reduceLanes(VectorOperators.ADD) + tail(w, w1, x, x0, c, n);
        out[o1] = a01.reduceLanes(VectorOperators.ADD) + tail(w, wOffset, x, x1, c, n);
        out[o1 + 1] = a11.reduceLanes(VectorOperators.ADD) + tail(w, w1, x, x1, c, n);
        out[o2] = a02.reduceLanes(VectorOperators.ADD) + tail(w, wOffset, x, x2, c, n);
        out[o2 + 1] = a12.reduceLanes(VectorOperators.ADD) + tail(w, w1, x, x2, c, n);
        out[o3] = a03.reduceLanes(VectorOperators.ADD) + tail(w, wOffset, x, x3, c, n);
        out[o3 + 1] = a13.reduceLanes(VectorOperators.ADD) + tail(w, w1, x, x3, c, n);
    }

    /** Rows r..r+3 (decoded in w) times activation row b. */
    private static void tile4x1(float[] w, int n, float[] x, int b, float[] out, int rows, int r) {
        int x0 = b * n;
        var a0 = FloatVector.zero(F); var a1 = FloatVector.zero(F); var a2 = FloatVector.zero(F); var a3 = FloatVector.zero(F);
        int c = 0;
        int upper = n - n % L;
        for (; c < upper; c += L) {
            var v = FloatVector.fromArray(F, x, x0 + c);
            a0 = FloatVector.fromArray(F, w, c).fma(v, a0);
            a1 = FloatVector.fromArray(F, w, n + c).fma(v, a1);
            a2 = FloatVector.fromArray(F, w, 2 * n + c).fma(v, a2);
            a3 = FloatVector.fromArray(F, w, 3 * n + c).fma(v, a3);
        }
        int o = b * rows + r;
        out[o] = a0.reduceLanes(VectorOperators.ADD) + tail(w, 0, x, x0, c, n);
        out[o + 1] = a1.reduceLanes(VectorOperators.ADD) + tail(w, n, x, x0, c, n);
        out[o + 2] = a2.reduceLanes(VectorOperators.ADD) + tail(w, 2 * n, x, x0, c, n);
        out[o + 3] = a3.reduceLanes(VectorOperators.ADD) + tail(w, 3 * n, x, x0, c, n);
    }

    private static float tail(float[] w, int wOffset, float[] x, int xOffset, int from, int n) {
        float s = 0f;
        for (int c = from; c < n; c++) s += w[wOffset + c] * x[xOffset + c];
        return s;
    }
}
