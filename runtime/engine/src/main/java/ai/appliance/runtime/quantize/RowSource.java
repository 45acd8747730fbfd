package ai.appliance.runtime.quantize;

import ai.appliance.runtime.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongUnaryOperator;

/**
 * The float rows of a tensor to be written to a GGUF, which need not be one checkpoint tensor: an
 * architecture can assemble a GGUF tensor from several (DeepSeek's per-expert matrices stacked into one
 * {@code ffn_gate_exps}) or from part of one ({@code attn_kv_b} split into {@code attn_k_b} and
 * {@code attn_v_b}). {@link TensorEncoding#add(ai.appliance.runtime.gguf.GgufWriter, String, RowSource,
 * ai.appliance.runtime.tensor.GgmlType)} encodes it row by row.
 *
 * <p>{@link #shape()} is outermost first, as {@link Tensor#shape()}; the innermost dimension is the row.
 * Row r is the r-th row in row-major order over all outer dimensions.
 *
 * <p>Sources are read by one thread, in row order: {@link #headSlice} with transposition caches one
 * head's block and is cheapest read that way.
 */
public interface RowSource {
    /** Dimensions, outermost first; the last is the row length. */
    long[] shape();

    /** Copies row {@code row} ({@link #columns()} values) into {@code out[0..columns)}. */
    void read(long row, float[] out);

    /** The number of rows: the product of every dimension but the innermost. */
    default long rows() {
        var shape = shape();
        long rows = 1;
        for (int i = 0; i < shape.length - 1; i++) rows *= shape[i];
        return rows;
    }

    /** The row length (the innermost dimension). */
    default int columns() {
        var shape = shape();
        return Math.toIntExact(shape[shape.length - 1]);
    }

    /** The rows of an F32, F16, BF16 or FP8 (with block scales) tensor, in its shape (see {@link FloatRows}). */
    static RowSource of(Tensor tensor) {
        if (!FloatRows.isFloat(tensor.type())) throw new IllegalArgumentException(tensor + " is not a float tensor");
        long[] shape = tensor.shape().clone();
        return new RowSource() {
            @Override
            public long[] shape() {
                return shape.clone();
            }

            @Override
            public void read(long row, float[] out) {
                FloatRows.read(tensor, row, out);
            }
        };
    }

    /**
     * This source with its rows permuted: written row r is row {@code sourceRow.applyAsLong(r)} of this
     * one (the Llama q/k head permutation); the shape is unchanged.
     */
    default RowSource withRowOrder(LongUnaryOperator sourceRow) {
        var self = this;
        long[] shape = shape();
        return new RowSource() {
            @Override
            public long[] shape() {
                return shape.clone();
            }

            @Override
            public void read(long row, float[] out) {
                self.read(sourceRow.applyAsLong(row), out);
            }
        };
    }

    /**
     * Tensors of one shape stacked along a new outermost dimension: shape {@code [n, ...shape]}, tensor i's
     * rows following tensor i−1's (torch.stack(dim=0), as llama.cpp's converter merges per-expert matrices
     * into {@code ffn_*_exps} of [experts, rows, columns]).
     */
    static RowSource stack(List<Tensor> tensors) {
        if (tensors.isEmpty()) throw new IllegalArgumentException("nothing to stack");
        var first = tensors.getFirst();
        for (var t : tensors) {
            if (!Arrays.equals(t.shape(), first.shape())) {
                throw new IllegalArgumentException("cannot stack " + t + " with " + first + ": shapes differ");
            }
            if (!FloatRows.isFloat(t.type())) throw new IllegalArgumentException(t + " is not a float tensor");
        }
        var parts = List.copyOf(tensors);
        long[] shape = new long[first.shape().length + 1];
        shape[0] = parts.size();
        System.arraycopy(first.shape(), 0, shape, 1, first.shape().length);
        long rowsEach = first.rowCount();
        return new RowSource() {
            @Override
            public long[] shape() {
                return shape.clone();
            }

            @Override
            public void read(long row, float[] out) {
                FloatRows.read(parts.get(Math.toIntExact(row / rowsEach)), row % rowsEach, out);
            }
        };
    }

    /**
     * Part of every head of a matrix whose rows are {@code heads} consecutive blocks of equal height: rows
     * {@code [from, to)} of each block, as shape {@code [heads, to − from, columns]}; or, {@code transpose}d,
     * each head's part transposed, shape {@code [heads, columns, to − from]}.
     *
     * <p>For DeepSeek MLA's {@code kv_b_proj} [heads·(qk_nope + v_head), kv_lora_rank], llama.cpp's converter
     * writes {@code attn_k_b} = headSlice(kv_b, heads, 0, qk_nope, true), shape [heads, kv_lora_rank, qk_nope],
     * and {@code attn_v_b} = headSlice(kv_b, heads, qk_nope, qk_nope + v_head, false), shape [heads, v_head,
     * kv_lora_rank] (kv_b.view(heads, -1, rank), torch.split along dim 1, k_b.transpose(1, 2)).
     *
     * <p>The transposed source reads a head's {@code to − from} rows once and keeps them while its rows are
     * read in order; it is not for use by several threads at once.
     */
    static RowSource headSlice(Tensor matrix, int heads, int from, int to, boolean transpose) {
        if (matrix.shape().length != 2) throw new IllegalArgumentException(matrix + " is not a matrix");
        if (!FloatRows.isFloat(matrix.type())) throw new IllegalArgumentException(matrix + " is not a float tensor");
        if (heads <= 0 || matrix.rowCount() % heads != 0) {
            throw new IllegalArgumentException(matrix + " does not split into " + heads + " heads");
        }
        long blockRows = matrix.rowCount() / heads;
        if (from < 0 || to <= from || to > blockRows) {
            throw new IllegalArgumentException("rows [" + from + ", " + to + ") are not within a head of " + blockRows + " rows of " + matrix);
        }
        int part = to - from;
        int columns = Math.toIntExact(matrix.rowLength());
        if (!transpose) {
            long[] shape = {heads, part, columns};
            return new RowSource() {
                @Override
                public long[] shape() {
                    return shape.clone();
                }

                @Override
                public void read(long row, float[] out) {
                    FloatRows.read(matrix, row / part * blockRows + from + row % part, out);
                }
            };
        }
        long[] shape = {heads, columns, part};
        return new RowSource() {
            private final float[][] block = new float[part][columns];
            private long cachedHead = -1;

            @Override
            public long[] shape() {
                return shape.clone();
            }

            @Override
            public void read(long row, float[] out) {
                long head = row / columns;
                if (head != cachedHead) {
                    for (int r = 0; r < part; r++) FloatRows.read(matrix, head * blockRows + from + r, block[r]);
                    cachedHead = head;
                }
                int column = (int) (row % columns);
                for (int r = 0; r < part; r++) out[r] = block[r][column];
            }
        };
    }
}
