package ai.appliance.runtime.quantize;

import ai.appliance.runtime.gguf.GgufWriter;
import ai.appliance.runtime.tensor.GgmlType;
import ai.appliance.runtime.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.IntUnaryOperator;
import java.util.stream.IntStream;

/**
 * Chooses and produces the GGUF encoding of float tensors: F32, F16, Q8_0, Q4_0 and Q4_K, each
 * byte-identical to what llama.cpp writes from the same floats ({@link Q8_0Encoder}, {@link Q4_0Encoder},
 * {@link Q4_KEncoder}). A tensor is one checkpoint {@link Tensor} or any {@link RowSource} (stacked
 * experts, a split of a matrix).
 */
public final class TensorEncoding {
    /** Values read and encoded per batch (4 MiB of floats): enough rows to share among the cores. */
    private static final int BATCH_VALUES = 1 << 20;

    private TensorEncoding() {
    }

    /** The matrix types this class encodes (besides F32 and F16). */
    public static boolean canEncode(GgmlType type) {
        return switch (type) {
            case F32, F16, Q8_0, Q4_0, Q4_K -> true;
            default -> false;
        };
    }

    /**
     * llama.cpp's converter's choice for {@code --outtype q8_0}: vectors (norms, biases) stay F32, matrices
     * whose rows are a multiple of 32 become Q8_0, other matrices F16. Same as {@code targetFor(Q8_0, shape)}.
     */
    public static GgmlType q8Target(Tensor source) {
        return targetFor(GgmlType.Q8_0, source.shape());
    }

    /**
     * The type a tensor of {@code shape} (outermost first) is written in when {@code wanted} is asked for
     * its matrices:
     * <ul>
     *   <li>vectors (one dimension: norms, biases) stay F32, as llama.cpp keeps them;
     *   <li>F32 and F16 as asked;
     *   <li>Q8_0 and Q4_0 when 32 divides the row length, else F16 (llama.cpp's last resort too);
     *   <li>Q4_K when 256 divides the row length; else Q4_0 when 32 does (DeepSeek-V2-Lite's expert width
     *       1408), else F16. llama-quantize falls back from Q4_K to Q5_0, a type this runtime does not
     *       compute with; Q4_0 keeps the file 4-bit and is what the synthetic-model writer falls back to, so
     *       a converted and a synthetic model of one architecture have the same tensor types.
     * </ul>
     *
     * @throws IllegalArgumentException for a {@code wanted} type this class cannot encode
     */
    public static GgmlType targetFor(GgmlType wanted, long[] shape) {
        if (!canEncode(wanted)) throw new IllegalArgumentException("cannot encode " + wanted);
        if (shape.length < 2) return GgmlType.F32;
        long row = shape[shape.length - 1];
        return switch (wanted) {
            case F32, F16 -> wanted;
            case Q4_K -> row % Q4_KEncoder.BLOCK == 0 ? GgmlType.Q4_K : row % Q4_0Encoder.BLOCK == 0 ? GgmlType.Q4_0 : GgmlType.F16;
            default -> row % wanted.blockSize() == 0 ? wanted : GgmlType.F16;
        };
    }

    /**
     * Adds {@code source} to the writer as {@code name} in {@code type}; {@code rowOrder} maps each
     * written row to the source row it comes from (identity, or the Llama q/k permutation).
     */
    public static void add(GgufWriter writer, String name, Tensor source, GgmlType type, IntUnaryOperator rowOrder) {
        add(writer, name, RowSource.of(source).withRowOrder(r -> rowOrder.applyAsInt(Math.toIntExact(r))), type);
    }

    /**
     * Adds the rows of {@code source} to the writer as {@code name} in {@code type}, in the source's shape.
     * Rows are read and encoded when the writer writes the tensor's data: read in order on the writer's
     * thread, then encoded a batch at a time in parallel (Q4_K's search costs about 60 ns a value on one
     * core, some 15 minutes for a 16B-parameter model), each row by itself, so the bytes do not depend on
     * the number of threads.
     *
     * @throws IllegalArgumentException when {@code type} cannot be encoded or its blocks do not divide the rows
     */
    public static void add(GgufWriter writer, String name, RowSource source, GgmlType type) {
        if (!canEncode(type)) throw new IllegalArgumentException("tensor '" + name + "': cannot encode " + type);
        int cols = source.columns();
        if (cols % type.blockSize() != 0) {
            throw new IllegalArgumentException("tensor '" + name + "': rows of " + cols + " values do not divide into " + type
                    + " blocks of " + type.blockSize() + " (TensorEncoding.targetFor chooses a type that fits)");
        }
        long rows = source.rows();
        int rowBytes = Math.toIntExact(type.bytesFor(cols));
        writer.addTensor(name, type, source.shape(), sink -> {
            int batch = (int) Math.min(rows, Math.max(1, BATCH_VALUES / cols));
            var input = new float[batch][cols];
            var output = new byte[Math.multiplyExact(batch, rowBytes)];
            var outputSegment = MemorySegment.ofArray(output);
            for (long first = 0; first < rows; first += batch) {
                int n = (int) Math.min(batch, rows - first);
                for (int i = 0; i < n; i++) source.read(first + i, input[i]);
                IntStream.range(0, n).parallel().forEach(i -> encode(type, input[i], 0, cols,
                        ByteBuffer.wrap(output, i * rowBytes, rowBytes).order(ByteOrder.LITTLE_ENDIAN)));
                sink.put(outputSegment.asSlice(0, (long) n * rowBytes));
            }
        });
    }

    /**
     * Appends {@code count} values from {@code values[offset..]} to {@code out} (little-endian) in
     * {@code type}; count must be a multiple of its block size.
     */
    public static void encode(GgmlType type, float[] values, int offset, int count, ByteBuffer out) {
        switch (type) {
            case Q4_K -> Q4_KEncoder.encode(values, offset, count, out);
            case Q4_0 -> Q4_0Encoder.encode(values, offset, count, out);
            case Q8_0 -> Q8_0Encoder.encode(values, offset, count, out);
            case F32 -> {
                for (int i = offset; i < offset + count; i++) out.putFloat(values[i]);
            }
            case F16 -> {
                for (int i = offset; i < offset + count; i++) out.putShort(Float.floatToFloat16(values[i]));
            }
            default -> throw new IllegalArgumentException("cannot encode " + type);
        }
    }
}
