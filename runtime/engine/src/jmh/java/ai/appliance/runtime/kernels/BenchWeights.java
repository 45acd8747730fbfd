package ai.appliance.runtime.kernels;

import ai.appliance.runtime.tensor.BlockScales;
import ai.appliance.runtime.tensor.GgmlType;
import ai.appliance.runtime.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * Random weight matrices for benchmarks, off-heap like a mapped model file. Every float field
 * (values, block scales) holds a normal number of moderate size: NaN, infinities or subnormals
 * could change what the arithmetic costs.
 */
public final class BenchWeights {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private BenchWeights() {
    }

    public static Tensor matrix(String name, GgmlType type, int rows, int columns, Arena arena, SplittableRandom random) {
        long bytes = type.bytesFor((long) rows * columns);
        var data = arena.allocate(bytes, 64);
        // Whole words: masks keep each F16/BF16/F32 value's exponent in a normal, moderate range.
        long mask = switch (type) {
            case F16 -> 0x83FF83FF83FF83FFL;
            case BF16 -> 0x807F807F807F807FL;
            case F32 -> 0x807FFFFF807FFFFFL;
            case FP8_E4M3 -> 0xB7B7B7B7B7B7B7B7L; // exponent 1, 3, 5 or 7 with the bit set below: normal, never NaN
            default -> -1L;
        };
        long set = switch (type) {
            case F16 -> 0x2C002C002C002C00L;
            case BF16 -> 0x3C003C003C003C00L;
            case F32 -> 0x3C0000003C000000L;
            case FP8_E4M3 -> 0x0808080808080808L;
            default -> 0L;
        };
        long i = 0;
        for (; i + 8 <= bytes; i += 8) data.set(I64, i, random.nextLong() & mask | set);
        for (; i < bytes; i++) data.set(ValueLayout.JAVA_BYTE, i, (byte) 0x20);
        long blocks = (long) rows * columns / type.blockSize();
        for (long b = 0; b < blocks; b++) {
            long base = b * type.bytesPerBlock();
            switch (type) {
                case Q8_0, Q4_0 -> data.set(I16, base, scale(random));
                case Q4_K -> {
                    data.set(I16, base, scale(random));
                    data.set(I16, base + 2, scale(random));
                }
                case Q6_K -> data.set(I16, base + 208, scale(random));
                default -> {
                    // plain floats: already normal
                }
            }
        }
        if (type == GgmlType.FP8_E4M3) {
            // DeepSeek's blocks of 128x128, one scale each
            int blockRows = (int) BlockScales.blocksFor(rows, FP8_BLOCK);
            int blockColumns = (int) BlockScales.blocksFor(columns, FP8_BLOCK);
            var scales = new float[blockRows * blockColumns];
            for (int k = 0; k < scales.length; k++) scales[k] = Float.float16ToFloat(scale(random));
            return new Tensor(name, type, new long[] {rows, columns}, data,
                    new BlockScales(FP8_BLOCK, FP8_BLOCK, blockRows, blockColumns, scales));
        }
        return new Tensor(name, type, new long[] {rows, columns}, data);
    }

    private static final int FP8_BLOCK = 128;

    private static short scale(SplittableRandom random) {
        return Float.floatToFloat16((float) (0.001 + random.nextDouble() * 0.01));
    }

    public static float[] activations(int n, SplittableRandom random) {
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (random.nextDouble() * 2 - 1);
        return x;
    }
}
