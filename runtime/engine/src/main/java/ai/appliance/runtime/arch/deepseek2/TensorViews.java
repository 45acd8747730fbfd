package ai.appliance.runtime.arch.deepseek2;

import ai.appliance.runtime.tensor.GgmlType;
import ai.appliance.runtime.tensor.Tensor;
import java.util.EnumSet;
import java.util.Set;

/**
 * 2-D views into stored tensors, sharing their bytes: one matrix of a 3-D stack (an expert, a head's absorbed
 * projection) or a run of rows. Only for types whose rows are self-contained runs of bytes ({@link #sliceable}); a
 * tensor with block scales beside its data (as FP8 checkpoints) cannot be cut this way.
 */
final class TensorViews {
    /** The GGUF block types: every row is {@code type.bytesFor(columns)} bytes that hold everything needed to decode it. */
    private static final Set<GgmlType> SLICEABLE = EnumSet.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0,
            GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q6_K);

    private TensorViews() {
    }

    /** Whether rows of {@code t} can be viewed without copying. */
    static boolean sliceable(Tensor t) {
        return SLICEABLE.contains(t.type());
    }

    /** Matrix {@code index} of a 3-D stack [count, rows, columns], as a [rows, columns] tensor. */
    static Tensor matrix(Tensor stack, int index) {
        long[] s = stack.shape();
        if (s.length != 3 || index < 0 || index >= s[0]) {
            throw new IllegalArgumentException("no matrix " + index + " in " + stack);
        }
        long bytes = s[1] * stack.type().bytesFor(s[2]);
        return new Tensor(stack.name() + "[" + index + "]", stack.type(), new long[] {s[1], s[2]},
                stack.data().asSlice(index * bytes, bytes));
    }

    /** Rows [first, first + count) of a matrix (or of a stack seen as its rows), as a [count, columns] tensor. */
    static Tensor rows(Tensor t, long first, long count, String name) {
        long columns = t.rowLength();
        if (first < 0 || count < 0 || first + count > t.rowCount()) {
            throw new IllegalArgumentException("no rows " + first + ".." + (first + count) + " in " + t);
        }
        long rowBytes = t.type().bytesFor(columns);
        return new Tensor(name, t.type(), new long[] {count, columns}, t.data().asSlice(first * rowBytes, count * rowBytes));
    }
}
