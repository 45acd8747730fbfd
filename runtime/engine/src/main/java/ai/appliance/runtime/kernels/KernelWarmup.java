package ai.appliance.runtime.kernels;

import ai.appliance.runtime.tensor.GgmlType;
import ai.appliance.runtime.tensor.Tensor;
import java.util.EnumMap;

/**
 * Runs the decode kernel of each weight type on the first rows of one of the model's own
 * matrices until the JIT has compiled it. The Vector API is fast only once C2 compiles it
 * (interpreted, every vector is an object), so without this the first token of a freshly loaded
 * model pays for compiling while it computes over the whole model: seconds instead of tens of
 * milliseconds. The model's own tensors, not a scratch buffer, because C2 specialises on the kind
 * of memory segment it has seen: warming on another kind makes the real one deoptimise.
 */
public final class KernelWarmup {
    private static final int ROWS = 16;
    /** Calls per type: past C2's invocation threshold with margin. */
    private static final int CALLS = 20_000;

    private KernelWarmup() {
    }

    public static void decodeKernels(Iterable<Tensor> matrices) {
        var byType = new EnumMap<GgmlType, Tensor>(GgmlType.class);
        for (var t : matrices) byType.putIfAbsent(t.type(), t);
        float sink = 0;
        for (var t : byType.values()) {
            if (t.type() == GgmlType.FP8_E4M3) {
                sink += fp8(t);
                continue;
            }
            int columns = (int) t.rowLength();
            int rows = (int) Math.min(ROWS, t.rowCount());
            long rowBytes = t.type().bytesFor(columns);
            var x = new float[columns];
            var four = new float[4];
            var scratch = new float[VectorDot.DOT4_SCRATCH];
            var scaled = new float[columns];
            var sums = VectorDot.needsBlockSums(t.type()) ? new float[columns / 32] : null;
            if (sums != null) VectorDot.blockSums(x, 0, columns, sums);
            int quarter = Math.max(1, rows / 4);
            for (int call = 0; call < CALLS; call++) {
                sink += VectorDot.dot(t.type(), t.data(), (call % rows) * rowBytes, x, 0, columns);
                if (call % 4 == 0 && rows >= 4 && VectorDot.readsFourRowsAtOnce(t.type())) {
                    // dot4 as the backend calls it
                    VectorDot.dot4(t.type(), t.data(), 0, quarter * rowBytes, x, 0, columns, sums, scratch, four, 0, 1);
                    sink += four[0] + four[1] + four[2] + four[3];
                    if (t.type() == GgmlType.F16 && VectorDot.scaleForHalves(x, columns, scaled)) {
                        VectorDot.dot4HalvesScaled(t.data(), 0, quarter * rowBytes, scaled, columns, four, 0, 1);
                        sink += four[0] + four[1] + four[2] + four[3];
                    }
                }
            }
        }
        if (sink != 0) throw new IllegalStateException("a zero activation vector gave a non-zero product: " + sink);
    }

    /** The FP8 kernels (one row, four rows) as the backend calls them, with the tensor's own block scales. */
    private static float fp8(Tensor t) {
        var scales = t.requireScales();
        int columns = (int) t.rowLength();
        int rows = (int) Math.min(ROWS, t.rowCount());
        var x = new float[columns];
        var four = new float[4];
        int quarter = Math.max(1, rows / 4);
        float sink = 0;
        for (int call = 0; call < CALLS; call++) {
            int r = call % rows;
            sink += VectorDot.dotFp8(t.data(), (long) r * columns, x, 0, columns, scales.values(), scales.rowOffset(r),
                    scales.columnBlock());
            if (call % 4 == 0 && rows >= 4 && VectorDot.readsFourRowsAtOnce(t.type())) {
                VectorDot.dot4Fp8(t.data(), 0, (long) quarter * columns, x, 0, columns, scales.values(), scales.rowOffset(0),
                        scales.rowOffset(quarter), scales.rowOffset(2L * quarter), scales.rowOffset(3L * quarter),
                        scales.columnBlock(), four, 0, 1);
                sink += four[0] + four[1] + four[2] + four[3];
            }
        }
        return sink;
    }
}
