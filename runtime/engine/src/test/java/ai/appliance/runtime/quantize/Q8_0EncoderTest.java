package ai.appliance.runtime.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class Q8_0EncoderTest {
    private static ByteBuffer encode(float[] block) {
        var out = ByteBuffer.allocate(34).order(ByteOrder.LITTLE_ENDIAN);
        Q8_0Encoder.encode(block, 0, 32, out);
        return out.flip();
    }

    @Test
    void scaleIsAmaxOver127InHalfPrecisionAndExtremesMapToPlusMinus127() {
        var block = new float[32];
        for (int i = 0; i < 32; i++) block[i] = (i - 16) * 0.1f;
        var out = encode(block);
        assertEquals(Float.floatToFloat16(1.6f / 127f), out.getShort());
        assertEquals(-127, out.get(2), "element 0 = -1.6 = -amax");
        assertEquals(0, out.get(2 + 16));
    }

    @Test
    void halvesRoundAwayFromZeroLikeCRoundf() {
        assertEquals(3, Q8_0Encoder.roundf(2.5f));
        assertEquals(-3, Q8_0Encoder.roundf(-2.5f));
        assertEquals(0, Q8_0Encoder.roundf(0.49999997f));
        assertEquals(-96, Q8_0Encoder.roundf(-95.5f));
    }

    @Test
    void allZeroBlockHasZeroScaleAndValues() {
        var out = encode(new float[32]);
        assertEquals(0, out.getShort());
        for (int i = 0; i < 32; i++) assertEquals(0, out.get());
    }
}
