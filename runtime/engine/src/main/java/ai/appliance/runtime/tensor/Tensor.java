package ai.appliance.runtime.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A named tensor whose bytes live in a (usually memory-mapped) segment.
 *
 * <p>{@code shape} is in row-major order, outermost dimension first, as numpy and safetensors
 * write it: a weight matrix of a linear layer y = W x is {@code [outFeatures, inFeatures]} and
 * each of its rows is contiguous. GGUF lists dimensions innermost first; its reader reverses them.
 */
public record Tensor(String name, GgmlType type, long[] shape, MemorySegment data) {

    public long elementCount() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    /** Length of one contiguous row (the innermost dimension). */
    public long rowLength() { return shape[shape.length - 1]; }

    /** Number of rows: the product of every dimension but the innermost. */
    public long rowCount() { return elementCount() / rowLength(); }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(shape);
    }
}
