package ai.appliance.runtime.quantize;

import java.nio.ByteBuffer;

/**
 * GGUF Q4_0 encoding, the arithmetic of llama.cpp's {@code quantize_row_q4_0_ref} (what {@code llama-quantize}
 * runs for Q4_0 without an importance matrix): blocks of 32 values as an fp16 scale d = max / −8, where max
 * is the value of largest magnitude (the first such, sign kept), and 4-bit q = min(15, trunc(x·(1/d) + 8.5)),
 * value j in the low nibble of byte j and value j+16 in its high nibble; decoded as (q − 8)·d. The extreme
 * value lands exactly on q = 0 (−8·d), so the grid reaches one step further on the side opposite to it.
 */
public final class Q4_0Encoder {
    public static final int BLOCK = 32;
    public static final int BLOCK_BYTES = 18;

    private Q4_0Encoder() {
    }

    /** Encodes {@code count} values (a multiple of 32) from {@code values[offset..]} into {@code out} (little-endian). */
    public static void encode(float[] values, int offset, int count, ByteBuffer out) {
        if (count % BLOCK != 0) throw new IllegalArgumentException("Q4_0 needs a multiple of 32 values, got " + count);
        for (int b = offset; b < offset + count; b += BLOCK) {
            float amax = 0;
            float max = 0;
            for (int j = 0; j < BLOCK; j++) {
                float v = values[b + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -8;
            float inverse = d != 0 ? 1f / d : 0f;
            out.putShort(Float.floatToFloat16(d));
            for (int j = 0; j < BLOCK / 2; j++) {
                // C casts x·id + 8.5 (within 0.5..16.5) to int8_t: truncation toward zero
                int q0 = Math.min(15, (int) (values[b + j] * inverse + 8.5f));
                int q1 = Math.min(15, (int) (values[b + BLOCK / 2 + j] * inverse + 8.5f));
                out.put((byte) (q0 | q1 << 4));
            }
        }
    }
}
