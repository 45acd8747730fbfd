package ai.appliance.runtime.kernels;

import ai.appliance.runtime.tensor.GgmlType;
import java.lang.foreign.Arena;
import java.util.Set;

/**
 * Runs the decode kernel of each weight type on a small zero matrix until the JIT has compiled it.
 * The Vector API is fast only once C2 compiles it (interpreted, every vector is an object), so
 * without this the first token of a freshly loaded model pays for compiling while it computes
 * over the whole model: seconds instead of tens of milliseconds.
 */
public final class KernelWarmup {
    private static final int ROWS = 16;
    private static final int COLUMNS = 512;
    /** Calls per type: past C2's invocation threshold with margin. */
    private static final int CALLS = 24_000;

    private KernelWarmup() {
    }

    public static void decodeKernels(Set<GgmlType> types) {
        var x = new float[COLUMNS];
        float sink = 0;
        try (var arena = Arena.ofConfined()) {
            for (var type : types) {
                long rowBytes = type.bytesFor(COLUMNS);
                var weights = arena.allocate(rowBytes * ROWS, 64);
                for (int call = 0; call < CALLS; call++) {
                    sink += VectorDot.dot(type, weights, (call % ROWS) * rowBytes, x, 0, COLUMNS);
                }
            }
        }
        if (sink != 0) throw new IllegalStateException("zero weights gave a non-zero product: " + sink);
    }
}
