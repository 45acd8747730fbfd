package ai.appliance.runtime.backend;

import ai.appliance.runtime.model.RopeStyle;
import ai.appliance.runtime.tensor.Tensor;

import java.util.List;

/**
 * Operations on an accelerator's own memory, for forward passes that keep activations there from the embedding to
 * the logits (a backend whose {@link Backend#device()} is not null). Activations are F32, row-major, {@code rows} rows
 * of a width each, rows {@code stride} floats apart where an operation reads part of a row; weights are uploaded once
 * in their file format. Operations are queued in order on the device; {@link #read} waits for them.
 *
 * <p>An architecture writes its device forward pass against this interface in its own package (as it writes its CPU
 * pass against {@link Backend}); a GPU backend implements it with its kernels. docs/architecture.md, "Backends".
 */
public interface DeviceCompute {

    /** What the device is, for logs and bench, e.g. "NVIDIA H200 (sm_90), CUDA 13.0". */
    String description();

    /** A buffer of {@code floats} F32 values; its contents are undefined until written. */
    DeviceBuffer allocate(long floats);

    /** {@code values} copied to a new buffer (norm weights, biases). */
    DeviceBuffer upload(float[] values);

    /**
     * One device matrix of the rows of {@code parts} stacked in order (query, key and value; gate and up), so one
     * product computes them all. Every part has the same type and row length.
     */
    DeviceMatrix upload(List<Tensor> parts);

    /** Copies source[offset, offset + count) to target's floats from {@code targetOffset}. */
    void write(float[] source, int offset, int count, DeviceBuffer target, long targetOffset);

    /** Waits for the queued operations, then copies {@code count} floats of source from {@code sourceOffset}. */
    void read(DeviceBuffer source, long sourceOffset, float[] target, int offset, int count);

    /** A sequence's key-value cache: {@code layers} × (keys, values) × {@code capacity} positions × kvWidth floats. */
    KvCache newKvCache(int layers, int capacity, int kvWidth);

    /** A table of up to {@code tokens} (cache, position) slots that attention of one chunk reads. */
    KvSlots newKvSlots(int tokens);

    /** out (+)= W x for {@code rows} rows of x: out has {@code w.rows()} floats per row. */
    void matmul(DeviceMatrix w, DeviceBuffer x, int rows, DeviceBuffer out, boolean accumulate);

    /** RMS-normalises each of {@code rows} rows of {@code width} floats of x into out (which may be x). */
    void rmsNorm(DeviceBuffer x, int rows, int width, DeviceBuffer weight, float epsilon, DeviceBuffer out);

    /** x[i] += y[i] for i &lt; n. */
    void add(DeviceBuffer x, DeviceBuffer y, long n);

    /** Adds bias (width floats) to the first {@code width} floats of each row. */
    void addBias(DeviceBuffer x, int rows, int width, int stride, DeviceBuffer bias);

    /** out[r][i] = silu(gateUp[r][i]) · gateUp[r][width + i]: each row holds the gate product then the up product. */
    void swiGlu(DeviceBuffer gateUp, int rows, int width, DeviceBuffer out);

    /**
     * Rotates {@code heads} heads of {@code headDimension} floats from column {@code first} of each row by the angles
     * of its row of {@code cosSin} (headDimension/2 cosines then as many sines per row).
     */
    void rope(DeviceBuffer x, int rows, int stride, int first, int heads, int headDimension, DeviceBuffer cosSin,
              RopeStyle style);

    /** Writes each row's key (from column keyOffset) and value (from valueOffset) to its slot's cache at {@code layer}. */
    void storeKv(DeviceBuffer x, int rows, int stride, int keyOffset, int valueOffset, int kvWidth, KvSlots slots, int layer);

    /**
     * Causal grouped-query attention: the query heads at the start of each row of x attend over positions 0..position
     * of their slot's cache at {@code layer}, scaled by 1/sqrt(headDimension); out gets heads·headDimension floats a row.
     */
    void attention(DeviceBuffer x, int rows, int stride, int heads, int kvHeads, int headDimension, KvSlots slots,
                   int layer, DeviceBuffer out);

    /** out row i = x row {@code rows[i]} for i &lt; count (rows of width floats). */
    void gatherRows(DeviceBuffer x, int width, int[] rows, int count, DeviceBuffer out);

    /**
     * Device-to-device copies of {@code bytes}, {@code passes} times: each pass's rate in bytes per second, counting
     * bytes read plus bytes written. Divided into the bytes a decode step reads, it gives decode's ceiling (bench).
     */
    double[] copyRates(long bytes, int passes);

    /** Device memory a buffer, matrix or cache holds. */
    interface Allocation extends AutoCloseable {
        long bytes();

        @Override
        void close();
    }

    /** F32 values on the device. */
    interface DeviceBuffer extends Allocation {
        long floats();
    }

    /** A weight matrix on the device, in its file's format. */
    interface DeviceMatrix extends Allocation {
        int rows();

        int columns();
    }

    /** One sequence's key-value cache on the device. */
    interface KvCache extends Allocation {
        int capacity();
    }

    /** Which cache and position each token of a chunk uses; {@link #commit} sends the table before the chunk runs. */
    interface KvSlots extends Allocation {
        void set(int token, KvCache cache, int position);

        void commit(int tokens);
    }
}
