package ai.appliance.runtime.arch.deepseek2;

import ai.appliance.runtime.backend.Backend;
import ai.appliance.runtime.kernels.Dequantize;
import ai.appliance.runtime.tensor.GgmlType;
import ai.appliance.runtime.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The per-head matrices of absorbed Multi-head Latent Attention, one pair per layer and head:
 * <ul>
 *   <li>{@code keyAbsorb[l][h]} [kv_lora, qk_nope]: the head's key up-projection W_kb [qk_nope, kv_lora] transposed,
 *       so that the query's non-rotary part moves into latent space with a plain matrix product,
 *       {@code q_latent = keyAbsorb · q_nope} (then {@code q_latent · c_kv = q_nope · (W_kb c_kv) = q_nope · k_nope});</li>
 *   <li>{@code valueUp[l][h]} [v_head_dim, kv_lora]: the head's value up-projection W_vb, applied once to the
 *       attention-weighted latent instead of to every cached position.</li>
 * </ul>
 * Where they come from, and what they cost beyond the model file:
 * <ul>
 *   <li>split GGUF ({@code attn_k_b} [heads, kv_lora, qk_nope], {@code attn_v_b} [heads, v, kv_lora]): views of the
 *       file's tensors, which are stored exactly this way. No copy.</li>
 *   <li>legacy {@code attn_kv_b} / checkpoint {@code kv_b_proj} [heads·(qk_nope + v), kv_lora] of a GGUF block type:
 *       {@code valueUp} are views of each head's v rows; {@code keyAbsorb} is a transposed copy made at load, in the
 *       tensor's own type for F16 and BF16 (transposing those is exact) and in F32 for the others (dequantized
 *       exactly; requantizing transposed rows would change the numbers). Per layer that is heads × qk_nope × kv_lora
 *       × 2 or 4 bytes: 16 or 32 MiB for DeepSeek-V3 (128 × 128 × 512), 2 or 4 MiB for V2-Lite (16 heads).</li>
 *   <li>any other type (e.g. FP8 with block scales, whose rows cannot be cut out): both in F32, read through the
 *       backend's own matrix product with an identity so that the values are exactly what the backend multiplies by:
 *       heads × (qk_nope + v) × kv_lora × 4 bytes per layer (64 MiB for DeepSeek-V3).</li>
 * </ul>
 * Copies live off the Java heap (an automatic arena) and are reported by {@link #copiedBytes()}.
 */
final class AbsorbedProjections {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    final Tensor[][] keyAbsorb;
    final Tensor[][] valueUp;
    private long copiedBytes;

    AbsorbedProjections(DeepSeek2Config c, DeepSeek2Weights w, Backend backend) {
        int layers = c.layerCount();
        keyAbsorb = new Tensor[layers][];
        valueUp = new Tensor[layers][];
        for (int l = 0; l < layers; l++) {
            var layer = w.layers().get(l);
            if (layer.kvB() == null) {
                split(c, l, layer.kB(), layer.vB(), backend);
            } else {
                unsplit(c, l, layer.kvB(), backend);
            }
        }
    }

    /** Bytes of the copies made at load (0 when every head is a view of the file). */
    long copiedBytes() {
        return copiedBytes;
    }

    private void split(DeepSeek2Config c, int l, Tensor kB, Tensor vB, Backend backend) {
        int heads = c.headCount();
        keyAbsorb[l] = new Tensor[heads];
        valueUp[l] = new Tensor[heads];
        if (TensorViews.sliceable(kB) && TensorViews.sliceable(vB)) {
            for (int h = 0; h < heads; h++) {
                keyAbsorb[l][h] = TensorViews.matrix(kB, h);
                valueUp[l][h] = TensorViews.matrix(vB, h);
            }
            return;
        }
        float[] k = denseRows(kB, backend);
        float[] v = denseRows(vB, backend);
        int kSize = c.kvLoraRank() * c.qkNopeHeadDim();
        int vSize = c.valueHeadDim() * c.kvLoraRank();
        for (int h = 0; h < heads; h++) {
            keyAbsorb[l][h] = f32(kB.name() + "[" + h + "]", k, h * kSize, c.kvLoraRank(), c.qkNopeHeadDim(), false);
            valueUp[l][h] = f32(vB.name() + "[" + h + "]", v, h * vSize, c.valueHeadDim(), c.kvLoraRank(), false);
        }
    }

    private void unsplit(DeepSeek2Config c, int l, Tensor kvB, Backend backend) {
        int heads = c.headCount();
        int nope = c.qkNopeHeadDim();
        int v = c.valueHeadDim();
        int rank = c.kvLoraRank();
        int stride = nope + v;
        keyAbsorb[l] = new Tensor[heads];
        valueUp[l] = new Tensor[heads];
        if (TensorViews.sliceable(kvB)) {
            var row = new float[rank];
            var block = new float[nope * rank];
            for (int h = 0; h < heads; h++) {
                valueUp[l][h] = TensorViews.rows(kvB, (long) h * stride + nope, v, kvB.name() + "[v " + h + "]");
                for (int n = 0; n < nope; n++) {
                    Dequantize.row(kvB.type(), kvB.data(), rank, (long) h * stride + n, row, 0);
                    System.arraycopy(row, 0, block, n * rank, rank);
                }
                var name = kvB.name() + "[k " + h + "]^T";
                keyAbsorb[l][h] = kvB.type() == GgmlType.F16 || kvB.type() == GgmlType.BF16
                        ? halves(name, block, rank, nope, kvB.type()) : f32(name, block, 0, rank, nope, true);
            }
            return;
        }
        float[] all = denseRows(kvB, backend);
        for (int h = 0; h < heads; h++) {
            keyAbsorb[l][h] = f32(kvB.name() + "[k " + h + "]^T", all, h * stride * rank, rank, nope, true);
            valueUp[l][h] = f32(kvB.name() + "[v " + h + "]", all, (h * stride + nope) * rank, v, rank, false);
        }
    }

    /**
     * A [rows, columns] F32 tensor of {@code values} from {@code offset}: as laid out there, or, when
     * {@code transpose}, from values laid out [columns, rows].
     */
    private Tensor f32(String name, float[] values, int offset, int rows, int columns, boolean transpose) {
        var segment = allocate(4L * rows * columns);
        for (int r = 0; r < rows; r++) {
            for (int col = 0; col < columns; col++) {
                float value = transpose ? values[offset + col * rows + r] : values[offset + r * columns + col];
                segment.set(F32, 4L * (r * columns + col), value);
            }
        }
        return new Tensor(name, GgmlType.F32, new long[] {rows, columns}, segment);
    }

    /** The transpose of {@code values} ([columns, rows], all exactly representable) as F16 or BF16 [rows, columns]. */
    private Tensor halves(String name, float[] values, int rows, int columns, GgmlType type) {
        var segment = allocate(2L * rows * columns);
        for (int r = 0; r < rows; r++) {
            for (int col = 0; col < columns; col++) {
                float value = values[col * rows + r];
                short bits = type == GgmlType.F16 ? Float.floatToFloat16(value) : (short) (Float.floatToRawIntBits(value) >>> 16);
                segment.set(I16, 2L * (r * columns + col), bits);
            }
        }
        return new Tensor(name, type, new long[] {rows, columns}, segment);
    }

    private MemorySegment allocate(long bytes) {
        copiedBytes += bytes;
        return Arena.ofAuto().allocate(bytes, 64);
    }

    /**
     * Every value of {@code t} (seen as [rowCount, rowLength]) in F32, row-major, computed by the backend: the product
     * with the identity gives out[c·rows + r] = t[r][c], whatever the type's encoding.
     */
    private static float[] denseRows(Tensor t, Backend backend) {
        int rows = Math.toIntExact(t.rowCount());
        int columns = Math.toIntExact(t.rowLength());
        var identity = new float[columns * columns];
        for (int i = 0; i < columns; i++) identity[i * columns + i] = 1f;
        var product = new float[Math.multiplyExact(rows, columns)];
        backend.matmul(t, identity, columns, product);
        var out = new float[product.length];
        for (int col = 0; col < columns; col++) {
            for (int r = 0; r < rows; r++) out[r * columns + col] = product[col * rows + r];
        }
        return out;
    }
}
