package ai.appliance.datacenter;

import ai.appliance.cuda.CudaContext;
import ai.appliance.cuda.CudaDriver;
import ai.appliance.cuda.GpuInventory;
import ai.appliance.cuda.Nvrtc;
import ai.appliance.runtime.backend.Backend;
import ai.appliance.runtime.backend.CpuBackend;
import ai.appliance.runtime.backend.DeviceCompute;
import ai.appliance.runtime.kernels.Rope;
import ai.appliance.runtime.tensor.Tensor;

import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A backend on one NVIDIA GPU. Architectures with a device forward pass (Llama, Qwen2) run wholly on the GPU through
 * {@link #device()}. For the others (DeepSeek's latent attention and experts, for now) the matrix products run on the
 * GPU, each weight uploaded on first use and kept, with the activations copied up and the products copied back per
 * call, and the small operations (norms, RoPE, attention over host caches) on the CPU.
 */
public final class CudaBackend implements Backend {
    private final CpuBackend host;
    private final CudaContext context;
    private final CudaCompute compute;
    private final String description;
    private final Map<Tensor, CudaCompute.Matrix> uploaded = new IdentityHashMap<>();
    private CudaCompute.Buffer input, output;

    private CudaBackend(CpuBackend host, CudaContext context, CudaCompute compute, String description) {
        this.host = host;
        this.context = context;
        this.compute = compute;
        this.description = description;
    }

    /**
     * Opens GPU {@code gpu}: its primary context, the kernels (compiled by NVRTC or from {@code kernelCache}).
     *
     * @param threads CPU threads for the host-side operations
     */
    public static CudaBackend open(CudaDriver driver, Nvrtc nvrtc, GpuInventory.Gpu gpu, CudaCompute.Products products,
                                   int threads, Path kernelCache) {
        var context = CudaContext.open(driver, gpu.ordinal());
        try {
            String architecture = "sm_" + gpu.computeMajor() + gpu.computeMinor();
            var kernels = CudaKernels.load(context, nvrtc, architecture, kernelCache);
            String what = gpu.name() + " (" + architecture + ", " + (gpu.memoryBytes() >> 30) + " GiB), CUDA "
                    + driver.driverVersion() + ", " + (products == CudaCompute.Products.INT8_ACTIVATIONS
                    ? "int8 products of quantized weights" : "weight-only products");
            var compute = new CudaCompute(context, kernels, products, what);
            return new CudaBackend(new CpuBackend(threads), context, compute, what);
        } catch (RuntimeException | Error e) {
            context.close();
            throw e;
        }
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public DeviceCompute device() {
        return compute;
    }

    @Override
    public synchronized void matmul(Tensor weight, float[] x, int batch, float[] out) {
        var m = uploaded.computeIfAbsent(weight, w -> compute.upload(List.of(w)));
        int in = batch * m.columns();
        int outCount = batch * m.rows();
        if (input == null || input.floats() < in) {
            if (input != null) input.close();
            input = compute.allocate(Math.max(in, input == null ? 0 : 2 * input.floats()));
        }
        if (output == null || output.floats() < outCount) {
            if (output != null) output.close();
            output = compute.allocate(Math.max(outCount, output == null ? 0 : 2 * output.floats()));
        }
        compute.write(x, 0, in, input, 0);
        compute.matmul(m, input.address, batch, output.address, false);
        compute.read(output, 0, out, 0, outCount);
    }

    @Override
    public void gatherRow(Tensor table, int row, float[] out, int outOffset) {
        host.gatherRow(table, row, out, outOffset);
    }

    @Override
    public void rmsNorm(float[] x, int batch, int width, float[] weight, float epsilon, float[] out) {
        host.rmsNorm(x, batch, width, weight, epsilon, out);
    }

    @Override
    public void addBias(float[] x, int batch, float[] bias) {
        host.addBias(x, batch, bias);
    }

    @Override
    public void add(float[] x, float[] y, int n) {
        host.add(x, y, n);
    }

    @Override
    public void swiGlu(float[] gate, float[] up, int n) {
        host.swiGlu(gate, up, n);
    }

    @Override
    public void rope(Rope rope, float[] x, int batch, int heads, float[] cos, float[] sin) {
        host.rope(rope, x, batch, heads, cos, sin);
    }

    @Override
    public void attention(float[] q, int batch, int heads, int kvHeads, int headDimension, float[][] keys,
                          float[][] values, int[] lengths, float[] out) {
        host.attention(q, batch, heads, kvHeads, headDimension, keys, values, lengths, out);
    }

    @Override
    public synchronized void close() {
        uploaded.values().forEach(CudaCompute.Matrix::close);
        uploaded.clear();
        if (input != null) input.close();
        if (output != null) output.close();
        compute.close();
        context.close();
        host.close();
    }
}
