package ai.appliance.runtime.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.gguf.GgufWriter;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

class Fp8TensorTest {

    @Test
    void fp8IsOneBytePerValueAndInMemoryOnly() {
        assertEquals(1, GgmlType.FP8_E4M3.blockSize());
        assertEquals(1, GgmlType.FP8_E4M3.bytesPerBlock());
        assertEquals(192, GgmlType.FP8_E4M3.bytesFor(192));
        assertFalse(GgmlType.FP8_E4M3.inGguf());
        assertNull(GgmlType.byId(GgmlType.FP8_E4M3.id()), "no id read from a GGUF file maps to FP8");
        for (var t : GgmlType.values()) {
            if (t != GgmlType.FP8_E4M3) {
                assertTrue(t.id() >= 0 && t.inGguf(), t.toString());
                assertSame(t, GgmlType.byId(t.id()));
            }
        }
    }

    @Test
    void theGgufWriterRefusesFp8() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new GgufWriter().addTensor("w", GgmlType.FP8_E4M3, new long[] {2, 2}, sink -> { }));
        assertTrue(e.getMessage().contains("FP8_E4M3"), e.getMessage());
    }

    @Test
    void blockScalesMustCoverTheMatrixExactlyWithPartialEdgeBlocks() {
        var data = Arena.ofAuto().allocate(96 * 192);
        // [96, 192] in blocks of 128: one (partial) block row, two block columns (128 + 64).
        var fits = new BlockScales(128, 128, 1, 2, new float[] {0.5f, 2f});
        var t = new Tensor("q_a_proj", GgmlType.FP8_E4M3, new long[] {96, 192}, data, fits);
        assertSame(fits, t.requireScales());
        assertEquals(2f, fits.scale(95, 128));
        assertEquals(0.5f, fits.scale(0, 127));
        assertEquals(2, new BlockScales(64, 128, 2, 2, new float[4]).rowOffset(64));
        var derivedFromShape = new BlockScales(96, 96, 1, 2, new float[2]); // 192 / 2: what a loader must not assume
        assertTrue(derivedFromShape.fits(96, 192), "the shapes alone cannot tell the block size");
        assertThrows(IllegalArgumentException.class, () -> new Tensor("q_a_proj", GgmlType.FP8_E4M3, new long[] {96, 192}, data,
                new BlockScales(128, 128, 1, 1, new float[1])));
        assertThrows(IllegalArgumentException.class, () -> new BlockScales(128, 128, 1, 2, new float[3]));
        var e = assertThrows(IllegalArgumentException.class,
                () -> new Tensor("q_a_proj", GgmlType.FP8_E4M3, new long[] {96, 192}, data).requireScales());
        assertTrue(e.getMessage().contains("q_a_proj"), e.getMessage());
    }
}
