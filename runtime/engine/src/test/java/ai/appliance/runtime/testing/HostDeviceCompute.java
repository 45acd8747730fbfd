package ai.appliance.runtime.testing;

import ai.appliance.runtime.backend.CpuBackend;
import ai.appliance.runtime.backend.DeviceCompute;
import ai.appliance.runtime.kernels.Rope;
import ai.appliance.runtime.model.RopeStyle;
import ai.appliance.runtime.tensor.Tensor;

import java.util.List;

/**
 * {@link DeviceCompute} on the Java heap, through the CPU kernels: runs an architecture's device forward pass where
 * there is no GPU, so its orchestration (stacked matrices, fused residuals, cache slots, emitted rows) is tested
 * against the CPU pass in every build. GPU backends are tested against the same expectations on the GPU.
 */
public final class HostDeviceCompute implements DeviceCompute {
    private final CpuBackend cpu;

    public HostDeviceCompute(CpuBackend cpu) {
        this.cpu = cpu;
    }

    private record Buffer(float[] values) implements DeviceBuffer {
        public long floats() {
            return values.length;
        }

        public long bytes() {
            return 4L * values.length;
        }

        public void close() {
        }
    }

    private record Matrix(List<Tensor> parts, int rows, int columns) implements DeviceMatrix {
        public long bytes() {
            return parts.stream().mapToLong(t -> t.data().byteSize()).sum();
        }

        public void close() {
        }
    }

    private record Cache(float[] values, int capacity, int kvWidth) implements KvCache {
        public long bytes() {
            return 4L * values.length;
        }

        public void close() {
        }
    }

    private static final class Slots implements KvSlots {
        final Cache[] caches;
        final int[] positions;

        Slots(int tokens) {
            caches = new Cache[tokens];
            positions = new int[tokens];
        }

        public void set(int token, KvCache cache, int position) {
            caches[token] = (Cache) cache;
            positions[token] = position;
        }

        public void commit(int tokens) {
        }

        public long bytes() {
            return 0;
        }

        public void close() {
        }
    }

    private static float[] of(DeviceBuffer b) {
        return ((Buffer) b).values();
    }

    @Override
    public String description() {
        return "host memory (test double of a device)";
    }

    @Override
    public DeviceBuffer allocate(long floats) {
        var values = new float[Math.toIntExact(floats)];
        java.util.Arrays.fill(values, Float.NaN); // undefined until written: a read of unwritten memory shows
        return new Buffer(values);
    }

    @Override
    public DeviceBuffer upload(float[] values) {
        return new Buffer(values.clone());
    }

    @Override
    public DeviceMatrix upload(List<Tensor> parts) {
        int rows = 0;
        int columns = (int) parts.getFirst().rowLength();
        for (var t : parts) {
            if (t.rowLength() != columns || t.type() != parts.getFirst().type()) {
                throw new IllegalArgumentException("stacked parts differ in type or row length: " + parts);
            }
            rows += (int) t.rowCount();
        }
        return new Matrix(List.copyOf(parts), rows, columns);
    }

    @Override
    public void write(float[] source, int offset, int count, DeviceBuffer target, long targetOffset) {
        System.arraycopy(source, offset, of(target), (int) targetOffset, count);
    }

    @Override
    public void read(DeviceBuffer source, long sourceOffset, float[] target, int offset, int count) {
        System.arraycopy(of(source), (int) sourceOffset, target, offset, count);
    }

    @Override
    public KvCache newKvCache(int layers, int capacity, int kvWidth) {
        return new Cache(new float[layers * 2 * capacity * kvWidth], capacity, kvWidth);
    }

    @Override
    public KvSlots newKvSlots(int tokens) {
        return new Slots(tokens);
    }

    @Override
    public void matmul(DeviceMatrix w, DeviceBuffer x, int rows, DeviceBuffer out, boolean accumulate) {
        var m = (Matrix) w;
        var in = java.util.Arrays.copyOf(of(x), rows * m.columns());
        var y = of(out);
        int first = 0;
        for (var part : m.parts()) {
            int partRows = (int) part.rowCount();
            var product = new float[rows * partRows];
            cpu.matmul(part, in, rows, product);
            for (int b = 0; b < rows; b++) {
                for (int r = 0; r < partRows; r++) {
                    int at = b * m.rows() + first + r;
                    y[at] = accumulate ? y[at] + product[b * partRows + r] : product[b * partRows + r];
                }
            }
            first += partRows;
        }
    }

    @Override
    public void rmsNorm(DeviceBuffer x, int rows, int width, DeviceBuffer weight, float epsilon, DeviceBuffer out) {
        cpu.rmsNorm(of(x), rows, width, of(weight), epsilon, of(out));
    }

    @Override
    public void add(DeviceBuffer x, DeviceBuffer y, long n) {
        cpu.add(of(x), of(y), (int) n);
    }

    @Override
    public void addBias(DeviceBuffer x, int rows, int width, int stride, DeviceBuffer bias) {
        var v = of(x);
        var b = of(bias);
        for (int r = 0; r < rows; r++) for (int i = 0; i < width; i++) v[r * stride + i] += b[i];
    }

    @Override
    public void swiGlu(DeviceBuffer gateUp, int rows, int width, DeviceBuffer out) {
        var gu = of(gateUp);
        var o = of(out);
        var gate = new float[width];
        var up = new float[width];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(gu, r * 2 * width, gate, 0, width);
            System.arraycopy(gu, r * 2 * width + width, up, 0, width);
            cpu.swiGlu(gate, up, width);
            System.arraycopy(gate, 0, o, r * width, width);
        }
    }

    @Override
    public void rope(DeviceBuffer x, int rows, int stride, int first, int heads, int headDimension, DeviceBuffer cosSin,
                     RopeStyle style) {
        int half = headDimension / 2;
        var rope = new Rope(new float[half], style);
        var cs = of(cosSin);
        var cos = new float[half];
        var sin = new float[half];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(cs, r * headDimension, cos, 0, half);
            System.arraycopy(cs, r * headDimension + half, sin, 0, half);
            rope.rotate(of(x), r * stride + first, heads, cos, sin, 0);
        }
    }

    @Override
    public void storeKv(DeviceBuffer x, int rows, int stride, int keyOffset, int valueOffset, int kvWidth, KvSlots slots,
                        int layer) {
        var s = (Slots) slots;
        var v = of(x);
        for (int r = 0; r < rows; r++) {
            var cache = s.caches[r];
            System.arraycopy(v, r * stride + keyOffset, cache.values(), row(cache, layer, 0, s.positions[r]), kvWidth);
            System.arraycopy(v, r * stride + valueOffset, cache.values(), row(cache, layer, 1, s.positions[r]), kvWidth);
        }
    }

    private static int row(Cache cache, int layer, int which, int position) {
        return ((layer * 2 + which) * cache.capacity() + position) * cache.kvWidth();
    }

    @Override
    public void attention(DeviceBuffer x, int rows, int stride, int heads, int kvHeads, int headDimension, KvSlots slots,
                          int layer, DeviceBuffer out) {
        var s = (Slots) slots;
        var v = of(x);
        var q = new float[rows * heads * headDimension];
        var keys = new float[rows][];
        var values = new float[rows][];
        var lengths = new int[rows];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(v, r * stride, q, r * heads * headDimension, heads * headDimension);
            var cache = s.caches[r];
            int layerFloats = cache.capacity() * cache.kvWidth();
            keys[r] = java.util.Arrays.copyOfRange(cache.values(), row(cache, layer, 0, 0), row(cache, layer, 0, 0) + layerFloats);
            values[r] = java.util.Arrays.copyOfRange(cache.values(), row(cache, layer, 1, 0), row(cache, layer, 1, 0) + layerFloats);
            lengths[r] = s.positions[r] + 1;
        }
        cpu.attention(q, rows, heads, kvHeads, headDimension, keys, values, lengths, of(out));
    }

    @Override
    public double[] copyRates(long bytes, int passes) {
        var from = new float[Math.toIntExact(Math.min(bytes, 1L << 28) / 4)];
        var to = new float[from.length];
        var rates = new double[passes];
        for (int p = 0; p < passes; p++) {
            long start = System.nanoTime();
            System.arraycopy(from, 0, to, 0, from.length);
            rates[p] = 8.0 * from.length / ((System.nanoTime() - start) / 1e9);
        }
        return rates;
    }

    @Override
    public void gatherRows(DeviceBuffer x, int width, int[] rows, int count, DeviceBuffer out) {
        for (int i = 0; i < count; i++) System.arraycopy(of(x), rows[i] * width, of(out), i * width, width);
    }
}
