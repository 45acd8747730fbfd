package ai.appliance.runtime.quantize;

import java.nio.ByteBuffer;

/**
 * GGUF Q8_0 encoding: blocks of 32 values as an fp16 scale d = max|x| / 127 and 32 int8 values
 * q = roundf(x * (1/d)), rounding halves away from zero, in float32: the arithmetic of llama.cpp's
 * {@code quantize_row_q8_0_ref}, so files match llama.cpp's byte for byte. (Dividing x / d instead, as
 * gguf-py's numpy quantizer does, differs on rare rounding ties: e.g. x/d = -95.5 exactly while
 * x * (1/d) = -95.4999.)
 */
public final class Q8_0Encoder {
    public static final int BLOCK = 32;
    public static final int BLOCK_BYTES = 34;

    private Q8_0Encoder() {
    }

    /** Encodes {@code count} values (a multiple of 32) from {@code values[offset..]} into {@code out}. */
    public static void encode(float[] values, int offset, int count, ByteBuffer out) {
        for (int b = offset; b < offset + count; b += BLOCK) {
            float amax = 0;
            for (int i = 0; i < BLOCK; i++) amax = Math.max(amax, Math.abs(values[b + i]));
            float d = amax / 127f;
            float inverse = d != 0 ? 1f / d : 0f;
            out.putShort(Float.floatToFloat16(d));
            for (int i = 0; i < BLOCK; i++) {
                out.put((byte) roundf(values[b + i] * inverse));
            }
        }
    }

    /** C's roundf: halves away from zero (Java's Math.round rounds halves up, wrong for negatives). */
    static int roundf(float x) {
        return (int) Math.copySign(Math.floor(Math.abs((double) x) + 0.5), x); // exact in double, unlike x + 0.5f
    }
}
