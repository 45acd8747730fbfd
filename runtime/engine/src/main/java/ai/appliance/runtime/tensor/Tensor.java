package ai.appliance.runtime.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A named tensor whose bytes live in a (usually memory-mapped) segment.
 *
 * <p>{@code shape} is in row-major order, outermost dimension first, as numpy and safetensors
 * write it: a weight matrix of a linear layer y = W x is {@code [outFeatures, inFeatures]} and
 * each of its rows is contiguous. GGUF lists dimensions innermost first; its reader reverses them.
 *
 * <p>{@code scales} is null except for block-quantized types that keep their scales apart from the
 * data ({@link GgmlType#FP8_E4M3}): then they apply to the tensor as a matrix of
 * {@link #rowCount()} rows of {@link #rowLength()} values, and must cover it exactly.
 */
public record Tensor(String name, GgmlType type, long[] shape, MemorySegment data, BlockScales scales) {

    public Tensor {
        if (scales != null && !scales.fits(elementCount(shape) / shape[shape.length - 1], shape[shape.length - 1])) {
            throw new IllegalArgumentException("tensor " + name + " " + Arrays.toString(shape) + ": block scales of "
                    + scales.blockRows() + "x" + scales.blockColumns() + " blocks of " + scales.rowBlock() + "x"
                    + scales.columnBlock() + " do not cover it");
        }
    }

    /** A tensor whose values need no separate scales. */
    public Tensor(String name, GgmlType type, long[] shape, MemorySegment data) {
        this(name, type, shape, data, null);
    }

    /** This tensor with {@code scales} attached. */
    public Tensor withScales(BlockScales scales) {
        return new Tensor(name, type, shape, data, scales);
    }

    /**
     * The block scales, for a type that needs them; an {@link IllegalArgumentException} naming the
     * tensor when they are missing (an FP8 tensor read without its {@code _scale_inv} companion).
     */
    public BlockScales requireScales() {
        if (scales == null) throw new IllegalArgumentException("tensor " + name + " is " + type + " without its block scales");
        return scales;
    }

    private static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    public long elementCount() {
        return elementCount(shape);
    }

    /** Length of one contiguous row (the innermost dimension). */
    public long rowLength() { return shape[shape.length - 1]; }

    /** Number of rows: the product of every dimension but the innermost. */
    public long rowCount() { return elementCount() / rowLength(); }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(shape)
                + (scales == null ? "" : " (block scales " + scales.rowBlock() + "x" + scales.columnBlock() + ")");
    }
}
