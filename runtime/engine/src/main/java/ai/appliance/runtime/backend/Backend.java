package ai.appliance.runtime.backend;

import ai.appliance.runtime.kernels.Rope;
import ai.appliance.runtime.tensor.Tensor;

/**
 * The operations a transformer forward pass computes through. Activations are F32, row-major,
 * {@code batch} rows of one width each; weights stay in their file format ({@link Tensor}).
 * The CPU implementation is {@link CpuBackend}; an accelerator backend implements the same
 * operations on its own memory (see docs/architecture.md, "Engine").
 */
public interface Backend extends AutoCloseable {

    String description();

    /**
     * Called once with every matrix of the model before the first forward pass: upload weights, compile kernels,
     * warm up. The CPU backend compiles its decode kernels here, so the first request is not slow.
     */
    default void prepare(java.util.List<Tensor> matrices) {
    }

    /**
     * out[b·rows + r] = Σ_c weight[r][c] · x[b·columns + c] for every row r of {@code weight} and
     * b &lt; batch: y = W x for several activation rows, reading each weight row once.
     */
    void matmul(Tensor weight, float[] x, int batch, float[] out);

    /**
     * {@link #matmul} of several weights with the same input columns over the same activations
     * (query/key/value, gate/up) as one parallel step: one hand-off to the threads instead of one per weight.
     */
    default void matmuls(Tensor[] weights, float[] x, int batch, float[][] outs) {
        for (int i = 0; i < weights.length; i++) matmul(weights[i], x, batch, outs[i]);
    }

    /**
     * {@link #matmul} of several weights, each over its own activations ({@code xs[i]}, {@code batch} rows of
     * weights[i]'s columns), as one parallel step: many small products that one at a time would each be too small to
     * split across threads (the per-head projections of latent attention, the down projections of a token's experts).
     */
    default void matmulEach(Tensor[] weights, float[][] xs, int batch, float[][] outs) {
        for (int i = 0; i < weights.length; i++) matmul(weights[i], xs[i], batch, outs[i]);
    }

    /** Copies row {@code row} of {@code table} (e.g. a token embedding) as F32 to out[outOffset..]. */
    void gatherRow(Tensor table, int row, float[] out, int outOffset);

    /** RMS-normalises each of {@code batch} rows of {@code width} floats of x into out. */
    void rmsNorm(float[] x, int batch, int width, float[] weight, float epsilon, float[] out);

    /** Adds {@code bias} (width floats) to each of {@code batch} rows of x. */
    void addBias(float[] x, int batch, float[] bias);

    /** x[i] += y[i] for i &lt; n. */
    void add(float[] x, float[] y, int n);

    /** gate[i] = silu(gate[i]) · up[i] for i &lt; n. */
    void swiGlu(float[] gate, float[] up, int n);

    /**
     * Rotates row b's {@code heads} heads of x (rows of heads·headDim) by the angles of
     * {@code positions[b]}; {@code cos}/{@code sin} hold headDim/2 values per row, from {@link Rope#angles}.
     */
    void rope(Rope rope, float[] x, int batch, int heads, float[] cos, float[] sin);

    /**
     * Causal grouped-query attention: row b of q (heads·headDim floats) attends over positions
     * 0..{@code lengths[b]}-1 of {@code keys[b]}/{@code values[b]} (kvHeads·headDim floats per
     * position); the result goes to row b of out.
     */
    void attention(float[] q, int batch, int heads, int kvHeads, int headDimension,
                   float[][] keys, float[][] values, int[] lengths, float[] out);

    /**
     * The device operations of a backend whose memory is not the Java heap (a GPU), or null: an architecture with a
     * device forward pass then keeps its activations there, others compute through the methods above.
     */
    default DeviceCompute device() {
        return null;
    }

    @Override
    void close();
}
