package ai.appliance.runtime.quantize;

import ai.appliance.runtime.gguf.GgufWriter;
import ai.appliance.runtime.tensor.GgmlType;
import ai.appliance.runtime.tensor.Tensor;
import java.util.function.IntUnaryOperator;

/**
 * Chooses and produces the GGUF encoding of one float tensor the way llama.cpp's converter does
 * for {@code --outtype q8_0}: vectors (norms, biases) stay F32, matrices whose rows are a multiple
 * of 32 become Q8_0, other matrices F16.
 */
public final class TensorEncoding {
    private TensorEncoding() {
    }

    public static GgmlType q8Target(Tensor source) {
        if (source.shape().length < 2) return GgmlType.F32;
        return source.rowLength() % Q8_0Encoder.BLOCK == 0 ? GgmlType.Q8_0 : GgmlType.F16;
    }

    /**
     * Adds {@code source} to the writer as {@code name} in {@code type}; {@code rowOrder} maps each
     * written row to the source row it comes from (identity, or the Llama q/k permutation).
     */
    public static void add(GgufWriter writer, String name, Tensor source, GgmlType type, IntUnaryOperator rowOrder) {
        int cols = (int) source.rowLength();
        long rows = source.rowCount();
        long[] shape = source.shape();
        writer.addTensor(name, type, shape, sink -> {
            var row = new float[cols];
            for (long r = 0; r < rows; r++) {
                FloatRows.read(source, rowOrder.applyAsInt((int) r), row);
                switch (type) {
                    case Q8_0 -> Q8_0Encoder.encode(row, 0, cols, sink.reserve(cols / Q8_0Encoder.BLOCK * Q8_0Encoder.BLOCK_BYTES));
                    case F32 -> {
                        var out = sink.reserve(4 * cols);
                        for (float v : row) out.putFloat(v);
                    }
                    case F16 -> {
                        var out = sink.reserve(2 * cols);
                        for (float v : row) out.putShort(Float.floatToFloat16(v));
                    }
                    default -> throw new IllegalArgumentException("cannot encode " + type);
                }
            }
        });
    }
}
