package ai.appliance.runtime.backend;

import ai.appliance.runtime.kernels.Attention;
import ai.appliance.runtime.kernels.BatchDot;
import ai.appliance.runtime.kernels.Dequantize;
import ai.appliance.runtime.kernels.RmsNorm;
import ai.appliance.runtime.kernels.Rope;
import ai.appliance.runtime.kernels.SwiGlu;
import ai.appliance.runtime.kernels.VectorDequantize;
import ai.appliance.runtime.kernels.VectorDot;
import ai.appliance.runtime.tensor.Tensor;

/**
 * The CPU backend: Vector API kernels over memory-mapped weights, rows split across a fixed
 * {@link WorkerPool}. Per-thread scratch (a dequantized weight row, attention scores) grows on
 * demand and is then reused, so steady-state decoding allocates nothing.
 */
public final class CpuBackend implements Backend {
    /** Multiply-adds below which waking another thread costs more than it saves. */
    private static final long WORK_PER_THREAD = 1 << 16;

    private final WorkerPool pool;
    private final float[][] rowScratch;
    private final float[][] scoreScratch;

    public CpuBackend(int threads) {
        this.pool = new WorkerPool(threads);
        this.rowScratch = new float[threads][0];
        this.scoreScratch = new float[threads][0];
    }

    @Override
    public String description() {
        return "CPU, " + pool.threads() + " threads, " + (VectorDot.ENABLED ? "vector kernels" : "scalar kernels");
    }

    @Override
    public void matmul(Tensor weight, float[] x, int batch, float[] out) {
        int rows = (int) weight.rowCount();
        int columns = (int) weight.rowLength();
        var type = weight.type();
        var data = weight.data();
        long rowBytes = type.bytesFor(columns);
        int threads = threadsFor((long) rows * columns * batch);
        if (batch == 1) {
            pool.forRange(rows, threads, (from, to, worker) -> {
                for (int r = from; r < to; r++) out[r] = VectorDot.dot(type, data, r * rowBytes, x, 0, columns);
            });
            return;
        }
        // Several activation rows: decode 4 weight rows at a time into F32 once, then multiply them with
        // 3 activation rows at a time (BatchDot), so each vector load feeds several FMAs.
        int groups = (rows + BatchDot.WEIGHT_ROWS - 1) / BatchDot.WEIGHT_ROWS;
        pool.forRange(groups, threads, (from, to, worker) -> {
            var decoded = rowBuffer(worker, BatchDot.WEIGHT_ROWS * columns);
            for (int g = from; g < to; g++) {
                int r0 = g * BatchDot.WEIGHT_ROWS;
                int count = Math.min(BatchDot.WEIGHT_ROWS, rows - r0);
                for (int i = 0; i < count; i++) {
                    VectorDequantize.values(type, data, (r0 + i) * rowBytes, decoded, i * columns, columns);
                }
                int b = 0;
                if (count == BatchDot.WEIGHT_ROWS) {
                    for (; b + BatchDot.ACTIVATION_ROWS <= batch; b += BatchDot.ACTIVATION_ROWS) {
                        BatchDot.dot4x3(decoded, x, b, columns, out, rows, r0);
                    }
                }
                for (; b < batch; b++) {
                    for (int i = 0; i < count; i++) {
                        out[b * rows + r0 + i] = VectorDot.dot(decoded, i * columns, x, b * columns, columns);
                    }
                }
            }
        });
    }

    private static int threadsFor(long work) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, work / WORK_PER_THREAD));
    }

    private float[] rowBuffer(int worker, int size) {
        if (rowScratch[worker].length < size) rowScratch[worker] = new float[size];
        return rowScratch[worker];
    }

    private float[] scoreBuffer(int worker, int size) {
        if (scoreScratch[worker].length < size) scoreScratch[worker] = new float[Math.max(size, 256)];
        return scoreScratch[worker];
    }

    @Override
    public void gatherRow(Tensor table, int row, float[] out, int outOffset) {
        Dequantize.row(table.type(), table.data(), (int) table.rowLength(), row, out, outOffset);
    }

    @Override
    public void rmsNorm(float[] x, int batch, int width, float[] weight, float epsilon, float[] out) {
        for (int b = 0; b < batch; b++) RmsNorm.apply(x, b * width, weight, epsilon, out, b * width, width);
    }

    @Override
    public void addBias(float[] x, int batch, float[] bias) {
        for (int b = 0; b < batch; b++) {
            int base = b * bias.length;
            for (int i = 0; i < bias.length; i++) x[base + i] += bias[i];
        }
    }

    @Override
    public void add(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) x[i] += y[i];
    }

    @Override
    public void swiGlu(float[] gate, float[] up, int n) {
        pool.forRange(n, threadsFor(n * 8L), (from, to, worker) -> SwiGlu.apply(gate, up, from, to - from));
    }

    @Override
    public void rope(Rope rope, float[] x, int batch, int heads, float[] cos, float[] sin) {
        int half = rope.headDimension() / 2;
        int width = heads * rope.headDimension();
        for (int b = 0; b < batch; b++) rope.rotate(x, b * width, heads, cos, sin, b * half);
    }

    @Override
    public void attention(float[] q, int batch, int heads, int kvHeads, int headDimension,
                          float[][] keys, float[][] values, int[] lengths, float[] out) {
        int group = heads / kvHeads;
        int kvStride = kvHeads * headDimension;
        int width = heads * headDimension;
        long work = 0;
        for (int b = 0; b < batch; b++) work += (long) lengths[b] * headDimension * 2 * heads;
        pool.forRange(batch * heads, threadsFor(work), (from, to, worker) -> {
            for (int item = from; item < to; item++) {
                int b = item / heads;
                int h = item % heads;
                var scores = scoreBuffer(worker, lengths[b]);
                Attention.head(q, b * width + h * headDimension, keys[b], values[b], (h / group) * headDimension,
                        kvStride, lengths[b], headDimension, scores, out, b * width + h * headDimension);
            }
        });
    }

    @Override
    public void close() {
        pool.close();
    }
}
