package ai.appliance.runtime.kernels;

import ai.appliance.runtime.tensor.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

/** Random but valid weight bytes of any type (scales are finite halves; quants are arbitrary bytes). */
public final class RandomWeights {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private RandomWeights() {
    }

    public static MemorySegment of(GgmlType type, long elements, Random random) {
        var segment = Arena.ofAuto().allocate(type.bytesFor(elements));
        for (long i = 0; i < segment.byteSize(); i++) segment.set(ValueLayout.JAVA_BYTE, i, (byte) random.nextInt());
        long blocks = elements / type.blockSize();
        for (long b = 0; b < blocks; b++) {
            long base = b * type.bytesPerBlock();
            switch (type) {
                case F32 -> segment.set(F32, base, (float) random.nextGaussian());
                case F16 -> segment.set(I16, base, Float.floatToFloat16((float) random.nextGaussian()));
                case BF16 -> segment.set(I16, base, (short) (Float.floatToIntBits((float) random.nextGaussian()) >>> 16));
                case Q8_0, Q4_0 -> segment.set(I16, base, half(random));
                case Q4_K -> {
                    segment.set(I16, base, half(random));
                    segment.set(I16, base + 2, half(random));
                }
                case Q6_K -> segment.set(I16, base + 208, half(random));
            }
        }
        return segment;
    }

    static short half(Random random) {
        return Float.floatToFloat16((float) (random.nextGaussian() * 0.01));
    }

    public static float[] gaussian(int n, Random random) {
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) random.nextGaussian();
        return x;
    }
}
