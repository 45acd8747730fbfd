package ai.appliance.runtime.backend;

import ai.appliance.runtime.kernels.KernelWarmup;

import ai.appliance.runtime.kernels.Attention;
import ai.appliance.runtime.kernels.Dequantize;
import ai.appliance.runtime.kernels.MatMul;
import ai.appliance.runtime.kernels.RmsNorm;
import ai.appliance.runtime.kernels.Rope;
import ai.appliance.runtime.kernels.SwiGlu;
import ai.appliance.runtime.kernels.VectorDot;
import ai.appliance.runtime.tensor.GgmlType;
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
    /** The activation prepared once per matrix product for every thread's rows (see MatmulTask.set). */
    private float[] blockSums = new float[0];
    /** Per activation row, its block sums, for products of a few rows that go through the decode kernels (see SMALL_BATCH). */
    private float[][] tokenSums = new float[0][];
    private float[] scaledActivation = new float[0];
    private final MatmulTask matmulTask = new MatmulTask();
    private final EachTask eachTask = new EachTask();
    private final AttentionTask attentionTask = new AttentionTask();
    private final SwiGluTask swiGluTask = new SwiGluTask();
    private final Tensor[] single = new Tensor[1];
    private final float[][] singleOut = new float[1][];

    public CpuBackend(int threads) {
        this.pool = new WorkerPool(threads);
        this.rowScratch = new float[threads][0];
        this.scoreScratch = new float[threads][0];
    }

    /** Compiles the decode kernels for every type and shape the model uses before the first request meets them. */
    @Override
    public void prepare(java.util.List<Tensor> matrices) {
        KernelWarmup.decodeKernels(matrices);
    }

    @Override
    public String description() {
        return "CPU, " + pool.threads() + " threads, " + (VectorDot.ENABLED ? "vector kernels" : "scalar kernels");
    }

    @Override
    public synchronized void matmul(Tensor weight, float[] x, int batch, float[] out) {
        single[0] = weight;
        singleOut[0] = out;
        matmuls(single, x, batch, singleOut);
        single[0] = null;
        singleOut[0] = null;
    }

    @Override
    public synchronized void matmuls(Tensor[] weights, float[] x, int batch, float[][] outs) {
        int total = 0;
        long work = 0;
        for (var w : weights) {
            if (w.type() == GgmlType.FP8_E4M3) w.requireScales(); // here rather than in a worker thread
            total += (int) w.rowCount();
            work += w.elementCount() * batch;
        }
        matmulTask.set(weights, x, batch, outs);
        try {
            pool.forRange(total, MatMul.ROW_TILE, threadsFor(work), matmulTask);
        } finally {
            matmulTask.set(null, null, 0, null);
        }
    }

    /**
     * The rows of several weights over one input, as one range: a reused object rather than a
     * capturing lambda, so a decode step allocates nothing per matrix product.
     */
    private final class MatmulTask implements WorkerPool.RangeTask {
        private Tensor[] weights;
        private float[] x;
        private int batch;
        private float[][] outs;
        private float[] sums;
        private float[] scaled;
        private float[][] perToken;

        /**
         * Also prepares what decode kernels take besides x, once for all threads and rows: the block
         * sums (Q4_0, Q4_K) and, for F16, x scaled by 2^112 (null where not needed or not applicable).
         */
        void set(Tensor[] weights, float[] x, int batch, float[][] outs) {
            this.weights = weights;
            this.x = x;
            this.batch = batch;
            this.outs = outs;
            this.sums = null;
            this.scaled = null;
            this.perToken = null;
            if (weights == null) return;
            int columns = (int) weights[0].rowLength(); // every weight multiplies the same x
            if (batch > 1) {
                if (batch > SMALL_BATCH) return;
                for (var w : weights) if (!decodesSmallBatch(w.type())) return;
                if (tokenSums.length < batch) tokenSums = java.util.Arrays.copyOf(tokenSums, batch);
                for (int b = 0; b < batch; b++) {
                    if (tokenSums[b] == null || tokenSums[b].length < columns / 32) tokenSums[b] = new float[columns / 32];
                    VectorDot.blockSums(x, b * columns, columns, tokenSums[b]);
                }
                perToken = tokenSums;
                return;
            }
            boolean needsSums = false;
            boolean halves = false;
            for (var w : weights) {
                needsSums |= VectorDot.needsBlockSums(w.type());
                halves |= w.type() == GgmlType.F16;
            }
            if (needsSums) {
                if (blockSums.length < columns / 32) blockSums = new float[columns / 32];
                VectorDot.blockSums(x, 0, columns, blockSums);
                sums = blockSums;
            }
            if (halves) {
                if (scaledActivation.length < columns) scaledActivation = new float[columns];
                if (VectorDot.scaleForHalves(x, columns, scaledActivation)) scaled = scaledActivation;
            }
        }

        @Override
        public void run(int from, int to, int worker) {
            int start = 0;
            for (int i = 0; i < weights.length && start < to; i++) {
                int rows = (int) weights[i].rowCount();
                int lo = Math.max(from, start);
                int hi = Math.min(to, start + rows);
                if (lo < hi) {
                    if (perToken != null) {
                        smallBatchRows(weights[i], x, batch, outs[i], lo - start, hi - start, worker, perToken);
                    } else {
                        rows(weights[i], x, batch, outs[i], lo - start, hi - start, worker, sums, scaled);
                    }
                }
                start += rows;
            }
        }
    }

    @Override
    public synchronized void matmulEach(Tensor[] weights, float[][] xs, int batch, float[][] outs) {
        int total = 0;
        long work = 0;
        for (var w : weights) {
            total += (int) w.rowCount();
            work += w.elementCount() * batch;
        }
        eachTask.set(weights, xs, batch, outs);
        try {
            pool.forRange(total, MatMul.ROW_TILE, threadsFor(work), eachTask);
        } finally {
            eachTask.set(null, null, 0, null);
        }
    }

    /**
     * The rows of several weights, each over its own input, as one range; per weight the block sums its decode
     * kernel takes (Q4_0, Q4_K), computed once for all threads.
     */
    private final class EachTask implements WorkerPool.RangeTask {
        private Tensor[] weights;
        private float[][] xs;
        private int batch;
        private float[][] outs;
        private float[][] sums = new float[0][];

        void set(Tensor[] weights, float[][] xs, int batch, float[][] outs) {
            this.weights = weights;
            this.xs = xs;
            this.batch = batch;
            this.outs = outs;
            if (weights == null) return;
            if (sums.length < weights.length) sums = java.util.Arrays.copyOf(sums, weights.length);
            for (int i = 0; i < weights.length; i++) {
                if (batch != 1 || !VectorDot.needsBlockSums(weights[i].type())) continue;
                int columns = (int) weights[i].rowLength();
                if (sums[i] == null || sums[i].length < columns / 32) sums[i] = new float[columns / 32];
                VectorDot.blockSums(xs[i], 0, columns, sums[i]);
            }
        }

        @Override
        public void run(int from, int to, int worker) {
            int start = 0;
            for (int i = 0; i < weights.length && start < to; i++) {
                int rows = (int) weights[i].rowCount();
                int lo = Math.max(from, start);
                int hi = Math.min(to, start + rows);
                boolean needsSums = batch == 1 && VectorDot.needsBlockSums(weights[i].type());
                if (lo < hi) rows(weights[i], xs[i], batch, outs[i], lo - start, hi - start, worker, needsSums ? sums[i] : null, null);
                start += rows;
            }
        }
    }

    /**
     * Activation rows up to which a product with Q4_0 or Q4_K weights runs the decode kernel once per row rather than
     * {@link MatMul}'s tiles. Prompt processing of a mixture of experts sends most experts one to three tokens; there
     * the tiles' dequantization to F32 is not repaid: one 2048×1408 Q4_K expert, one thread, µs per token and expert:
     * 2 rows 272 tiled vs 154 as two decode passes, 3 rows 199 vs 150, 4 rows 131 vs 146; Q4_0 (1408 wide) 255 vs 118,
     * 176 vs 108, 94 vs 104.
     */
    private static final int SMALL_BATCH = 3;

    private static boolean decodesSmallBatch(GgmlType type) {
        return VectorDot.needsBlockSums(type) && VectorDot.readsFourRowsAtOnce(type);
    }

    /** Rows [from, to) of weight · x for each of the {@code batch} activation rows in turn, as decode computes one. */
    private void smallBatchRows(Tensor weight, float[] x, int batch, float[] out, int from, int to, int worker, float[][] sums) {
        int columns = (int) weight.rowLength();
        int rowCount = (int) weight.rowCount();
        var type = weight.type();
        var data = weight.data();
        long rowBytes = type.bytesFor(columns);
        int quarter = (to - from) / 4;
        float[] scratch = quarter > 0 ? rowBuffer(worker, VectorDot.DOT4_SCRATCH) : null;
        for (int b = 0; b < batch; b++) {
            int o = b * rowCount;
            for (int r = from; r < from + quarter; r++) {
                VectorDot.dot4(type, data, r * rowBytes, quarter * rowBytes, x, b * columns, columns, sums[b], scratch, out, o + r, quarter);
            }
            for (int r = from + 4 * quarter; r < to; r++) {
                out[o + r] = VectorDot.dot(type, data, r * rowBytes, x, b * columns, columns, sums[b]);
            }
        }
    }

    /**
     * Rows [from, to) of weight · x: a dot product per row for one activation row, tiles for several;
     * {@code sums} and {@code scaled} as {@link MatmulTask#set} prepared them.
     */
    private void rows(Tensor weight, float[] x, int batch, float[] out, int from, int to, int worker,
                      float[] sums, float[] scaled) {
        int columns = (int) weight.rowLength();
        var type = weight.type();
        var data = weight.data();
        long rowBytes = type.bytesFor(columns);
        if (type == GgmlType.FP8_E4M3) {
            fp8Rows(weight, x, batch, out, from, to, worker);
            return;
        }
        if (batch == 1) {
            // Rows four at a time from the four quarters of the chunk where a kernel interleaves them:
            // four memory streams at once (VectorDot.dot4; for F16 with the activation scaled once per
            // product, so that the kernel skips a multiply per vector). Otherwise in order.
            int quarter = VectorDot.readsFourRowsAtOnce(type) ? (to - from) / 4 : 0;
            boolean scaledHalves = type == GgmlType.F16 && scaled != null;
            float[] scratch = quarter > 0 ? rowBuffer(worker, VectorDot.DOT4_SCRATCH) : null;
            for (int r = from; r < from + quarter; r++) {
                if (scaledHalves) {
                    VectorDot.dot4HalvesScaled(data, r * rowBytes, quarter * rowBytes, scaled, columns, out, r, quarter);
                } else {
                    VectorDot.dot4(type, data, r * rowBytes, quarter * rowBytes, x, 0, columns, sums, scratch, out, r, quarter);
                }
            }
            for (int r = from + 4 * quarter; r < to; r++) out[r] = VectorDot.dot(type, data, r * rowBytes, x, 0, columns, sums);
        } else {
            MatMul.rows(type, data, rowBytes, columns, (int) weight.rowCount(), from, to, x, batch, out,
                    rowBuffer(worker, MatMul.scratchSize(columns)));
        }
    }

    /**
     * {@link #rows} of an FP8 E4M3 weight: each row's dot product (or tile decode) takes the scales of
     * its own block row, so a chunk may start and end anywhere, and the four rows that
     * {@link VectorDot#dot4Fp8} reads at once may lie in different block rows.
     */
    private void fp8Rows(Tensor weight, float[] x, int batch, float[] out, int from, int to, int worker) {
        var scales = weight.requireScales();
        var s = scales.values();
        int block = scales.columnBlock();
        int columns = (int) weight.rowLength();
        var data = weight.data();
        long rowBytes = columns;
        if (batch == 1) {
            int quarter = VectorDot.readsFourRowsAtOnce(GgmlType.FP8_E4M3) ? (to - from) / 4 : 0;
            for (int r = from; r < from + quarter; r++) {
                VectorDot.dot4Fp8(data, r * rowBytes, quarter * rowBytes, x, 0, columns, s, scales.rowOffset(r),
                        scales.rowOffset(r + quarter), scales.rowOffset(r + 2L * quarter), scales.rowOffset(r + 3L * quarter),
                        block, out, r, quarter);
            }
            for (int r = from + 4 * quarter; r < to; r++) {
                out[r] = VectorDot.dotFp8(data, r * rowBytes, x, 0, columns, s, scales.rowOffset(r), block);
            }
        } else {
            MatMul.rows(GgmlType.FP8_E4M3, data, scales, rowBytes, columns, (int) weight.rowCount(), from, to, x, batch, out,
                    rowBuffer(worker, MatMul.scratchSize(columns)));
        }
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
        Dequantize.row(table, row, out, outOffset);
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
    public synchronized void swiGlu(float[] gate, float[] up, int n) {
        swiGluTask.gate = gate;
        swiGluTask.up = up;
        try {
            pool.forRange(n, 1, threadsFor(n * 8L), swiGluTask);
        } finally {
            swiGluTask.gate = null;
            swiGluTask.up = null;
        }
    }

    private static final class SwiGluTask implements WorkerPool.RangeTask {
        private float[] gate;
        private float[] up;

        @Override
        public void run(int from, int to, int worker) {
            SwiGlu.apply(gate, up, from, to - from);
        }
    }

    @Override
    public void rope(Rope rope, float[] x, int batch, int heads, float[] cos, float[] sin) {
        int half = rope.headDimension() / 2;
        int width = heads * rope.headDimension();
        for (int b = 0; b < batch; b++) rope.rotate(x, b * width, heads, cos, sin, b * half);
    }

    @Override
    public synchronized void attention(float[] q, int batch, int heads, int kvHeads, int headDimension,
                                       float[][] keys, float[][] values, int[] lengths, float[] out) {
        long work = 0;
        for (int b = 0; b < batch; b++) work += (long) lengths[b] * headDimension * 2 * heads;
        var t = attentionTask;
        t.q = q;
        t.heads = heads;
        t.group = heads / kvHeads;
        t.headDimension = headDimension;
        t.keys = keys;
        t.values = values;
        t.lengths = lengths;
        t.out = out;
        try {
            pool.forRange(batch * heads, 1, threadsFor(work), t);
        } finally {
            t.q = null;
            t.keys = null;
            t.values = null;
            t.lengths = null;
            t.out = null;
        }
    }

    /** Attention of (token, head) items; reused like {@link MatmulTask}. */
    private final class AttentionTask implements WorkerPool.RangeTask {
        private float[] q;
        private int heads;
        private int group;
        private int headDimension;
        private float[][] keys;
        private float[][] values;
        private int[] lengths;
        private float[] out;

        @Override
        public void run(int from, int to, int worker) {
            int kvStride = heads / group * headDimension;
            int width = heads * headDimension;
            for (int item = from; item < to; item++) {
                int b = item / heads;
                int h = item % heads;
                var scores = scoreBuffer(worker, lengths[b]);
                Attention.head(q, b * width + h * headDimension, keys[b], values[b], (h / group) * headDimension,
                        kvStride, lengths[b], headDimension, scores, out, b * width + h * headDimension);
            }
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
