package ai.appliance.runtime.testing;

import ai.appliance.runtime.backend.Backend;
import ai.appliance.runtime.backend.CpuBackend;
import ai.appliance.runtime.backend.DeviceCompute;
import ai.appliance.runtime.kernels.Rope;
import ai.appliance.runtime.tensor.Tensor;

/** The CPU backend with a {@link HostDeviceCompute} as its device: architectures take their device forward pass. */
public final class HostDeviceBackend implements Backend {
    private final CpuBackend cpu;
    private final HostDeviceCompute device;

    public HostDeviceBackend(int threads) {
        this.cpu = new CpuBackend(threads);
        this.device = new HostDeviceCompute(cpu);
    }

    @Override
    public DeviceCompute device() {
        return device;
    }

    @Override
    public String description() {
        return "CPU with a host-memory device";
    }

    @Override
    public void matmul(Tensor weight, float[] x, int batch, float[] out) {
        cpu.matmul(weight, x, batch, out);
    }

    @Override
    public void gatherRow(Tensor table, int row, float[] out, int outOffset) {
        cpu.gatherRow(table, row, out, outOffset);
    }

    @Override
    public void rmsNorm(float[] x, int batch, int width, float[] weight, float epsilon, float[] out) {
        cpu.rmsNorm(x, batch, width, weight, epsilon, out);
    }

    @Override
    public void addBias(float[] x, int batch, float[] bias) {
        cpu.addBias(x, batch, bias);
    }

    @Override
    public void add(float[] x, float[] y, int n) {
        cpu.add(x, y, n);
    }

    @Override
    public void swiGlu(float[] gate, float[] up, int n) {
        cpu.swiGlu(gate, up, n);
    }

    @Override
    public void rope(Rope rope, float[] x, int batch, int heads, float[] cos, float[] sin) {
        cpu.rope(rope, x, batch, heads, cos, sin);
    }

    @Override
    public void attention(float[] q, int batch, int heads, int kvHeads, int headDimension, float[][] keys,
                          float[][] values, int[] lengths, float[] out) {
        cpu.attention(q, batch, heads, kvHeads, headDimension, keys, values, lengths, out);
    }

    @Override
    public void close() {
        cpu.close();
    }
}
