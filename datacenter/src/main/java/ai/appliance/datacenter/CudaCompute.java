package ai.appliance.datacenter;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import ai.appliance.cuda.CudaContext;
import ai.appliance.runtime.backend.DeviceCompute;
import ai.appliance.runtime.kernels.Dequantize;
import ai.appliance.runtime.model.RopeStyle;
import ai.appliance.runtime.tensor.GgmlType;
import ai.appliance.runtime.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.List;

/**
 * {@link DeviceCompute} on one NVIDIA GPU with the kernels of {@code kernels.cu}. Weights are uploaded once in their
 * file's format; Q8_0 and Q4_0 blocks (34 and 18 bytes, not 4-byte aligned) are split into quants and scales on the
 * way, Q6_K is widened to F32. Matrix products either decode the weights to F32 against F32 activations
 * ({@link Products#WEIGHT_ONLY}, the {@code cuda} backend) or, for Q8_0/Q4_0/Q4_K, quantize the activations to int8
 * blocks and multiply in integers ({@link Products#INT8_ACTIVATIONS}, the {@code jetson} backend). Work is queued in
 * order on the default stream; {@link #read} waits for it. Not thread-safe: models call it under their lock.
 */
public final class CudaCompute implements DeviceCompute, AutoCloseable {

    /** How quantized weights are multiplied. */
    public enum Products { WEIGHT_ONLY, INT8_ACTIVATIONS }

    private static final int THREADS = 256;
    private static final int ROWS_PER_BLOCK = 8;
    /** Activation rows one block multiplies per read of its weights: kernels.cu's _1, _8, _16 and _32 entries. */
    private static final int[] BATCH_TILES = {1, 8, 16, 32};
    private static final long STAGING_BYTES = 64L << 20;
    private static final java.lang.foreign.ValueLayout.OfShort I16 =
            java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final CudaContext context;
    private final CudaKernels kernels;
    private final Products products;
    private final String description;
    private final Arena arena = Arena.ofShared();
    private final KernelArguments arguments = new KernelArguments(arena);
    private final MemorySegment staging;
    private Scratch quantized, quantizedScales, scores, rowIndex;

    public CudaCompute(CudaContext context, CudaKernels kernels, Products products, String description) {
        this.context = context;
        this.kernels = kernels;
        this.products = products;
        this.description = description;
        this.staging = context.allocateHost(STAGING_BYTES);
    }

    public Products products() {
        return products;
    }

    @Override
    public String description() {
        return description;
    }

    // ---- memory -------------------------------------------------------------------------------------------------

    /** Device memory freed on close. */
    private class Memory implements Allocation {
        final long address;
        final long bytes;
        private boolean closed;

        Memory(long bytes) {
            this.bytes = bytes;
            this.address = context.allocate(bytes);
        }

        @Override
        public long bytes() {
            return bytes;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                context.free(address);
            }
        }
    }

    final class Buffer extends Memory implements DeviceBuffer {
        Buffer(long floats) {
            super(4 * Math.max(floats, 1));
        }

        @Override
        public long floats() {
            return bytes / 4;
        }
    }

    /** A matrix in its file format; for Q8_0/Q4_0 the scales follow the quants at {@code scalesOffset}. */
    final class Matrix extends Memory implements DeviceMatrix {
        final GgmlType type;
        final int rows, columns;
        final long scalesOffset;
        final int rowBlock, columnBlock;

        Matrix(GgmlType type, int rows, int columns, long bytes, long scalesOffset, int rowBlock, int columnBlock) {
            super(bytes);
            this.type = type;
            this.rows = rows;
            this.columns = columns;
            this.scalesOffset = scalesOffset;
            this.rowBlock = rowBlock;
            this.columnBlock = columnBlock;
        }

        @Override
        public int rows() {
            return rows;
        }

        @Override
        public int columns() {
            return columns;
        }

        long scales() {
            return address + scalesOffset;
        }
    }

    final class Cache extends Memory implements KvCache {
        final int capacity;

        Cache(long bytes, int capacity) {
            super(bytes);
            this.capacity = capacity;
        }

        @Override
        public int capacity() {
            return capacity;
        }
    }

    /** The slot table: 16 bytes a token (cache address, capacity, position), as kernels.cu's KvSlot. */
    final class Slots extends Memory implements KvSlots {
        private final MemorySegment host;
        private final int tokens;
        private int committed;
        private int longest;

        Slots(int tokens) {
            super(16L * tokens);
            this.tokens = tokens;
            this.host = arena.allocate(16L * tokens, 16);
        }

        @Override
        public void set(int token, KvCache cache, int position) {
            var c = (Cache) cache;
            if (position >= c.capacity) throw new IllegalArgumentException("position " + position + " is past the cache");
            host.set(JAVA_LONG, 16L * token, c.address);
            host.set(JAVA_INT, 16L * token + 8, c.capacity);
            host.set(JAVA_INT, 16L * token + 12, position);
        }

        @Override
        public void commit(int count) {
            if (count > tokens) throw new IllegalArgumentException(count + " slots in a table of " + tokens);
            longest = 0;
            for (int t = 0; t < count; t++) longest = Math.max(longest, host.get(JAVA_INT, 16L * t + 12) + 1);
            committed = count;
            context.copyToDevice(address, host, 16L * count);
        }
    }

    /** A device buffer that grows to the largest size asked of it. */
    private final class Scratch {
        long address;
        long bytes;

        long atLeast(long wanted) {
            if (wanted > bytes) {
                if (bytes > 0) context.free(address);
                bytes = Math.max(wanted, bytes * 2);
                address = context.allocate(bytes);
            }
            return address;
        }

        void free() {
            if (bytes > 0) context.free(address);
            bytes = 0;
        }
    }

    @Override
    public Buffer allocate(long floats) {
        return new Buffer(floats);
    }

    @Override
    public Buffer upload(float[] values) {
        var buffer = new Buffer(values.length);
        write(values, 0, values.length, buffer, 0);
        return buffer;
    }

    @Override
    public void write(float[] source, int offset, int count, DeviceBuffer target, long targetOffset) {
        var b = (Buffer) target;
        if (targetOffset + count > b.floats()) throw new IndexOutOfBoundsException("write past the buffer");
        long done = 0;
        while (done < count) {
            int n = (int) Math.min(count - done, STAGING_BYTES / 4);
            MemorySegment.copy(source, (int) (offset + done), staging, JAVA_FLOAT, 0, n);
            context.copyToDevice(b.address + 4 * (targetOffset + done), staging, 4L * n);
            done += n;
        }
    }

    @Override
    public void read(DeviceBuffer source, long sourceOffset, float[] target, int offset, int count) {
        var b = (Buffer) source;
        if (sourceOffset + count > b.floats()) throw new IndexOutOfBoundsException("read past the buffer");
        long done = 0;
        while (done < count) {
            int n = (int) Math.min(count - done, STAGING_BYTES / 4);
            context.copyToHost(staging, b.address + 4 * (sourceOffset + done), 4L * n);
            MemorySegment.copy(staging, JAVA_FLOAT, 0, target, (int) (offset + done), n);
            done += n;
        }
    }

    @Override
    public KvCache newKvCache(int layers, int capacity, int kvWidth) {
        return new Cache(4L * layers * 2 * capacity * kvWidth, capacity);
    }

    @Override
    public KvSlots newKvSlots(int tokens) {
        return new Slots(tokens);
    }

    // ---- weights ------------------------------------------------------------------------------------------------

    @Override
    public Matrix upload(List<Tensor> parts) {
        var first = parts.getFirst();
        int columns = Math.toIntExact(first.rowLength());
        long rows = 0;
        for (var t : parts) {
            if (t.type() != first.type() || t.rowLength() != columns) {
                throw new IllegalArgumentException("stacked weights must share type and row length: " + parts);
            }
            rows += t.rowCount();
        }
        int rowCount = Math.toIntExact(rows);
        var type = first.type();
        return switch (type) {
            case F32, F16, BF16, Q4_K -> {
                int unit = type == GgmlType.F32 ? 4 : type == GgmlType.Q4_K ? 256 : 8;
                requireColumns(first, columns, unit);
                var m = new Matrix(type, rowCount, columns, rows * type.bytesFor(columns), 0, 0, 0);
                long at = 0;
                for (var t : parts) {
                    long bytes = t.rowCount() * type.bytesFor(columns);
                    copy(t.data(), 0, m.address + at, bytes);
                    at += bytes;
                }
                yield m;
            }
            case Q8_0, Q4_0 -> splitBlocks(parts, type, rowCount, columns);
            case Q6_K -> widened(parts, rowCount, columns);
            case FP8_E4M3 -> fp8(parts, rowCount, columns);
        };
    }

    private static void requireColumns(Tensor t, int columns, int unit) {
        if (columns % unit != 0) {
            throw new IllegalArgumentException("tensor " + t.name() + " (" + t.type() + ") has " + columns
                    + " columns; the GPU kernels need a multiple of " + unit);
        }
    }

    /** Copies bytes of any segment (mapped file, heap) to the device through the pinned staging buffer. */
    private void copy(MemorySegment source, long from, long target, long bytes) {
        for (long done = 0; done < bytes; ) {
            long n = Math.min(bytes - done, STAGING_BYTES);
            MemorySegment.copy(source, from + done, staging, 0, n);
            context.copyToDevice(target + done, staging, n);
            done += n;
        }
    }

    /** Q8_0 (34-byte blocks) and Q4_0 (18): quants of every row first, then the F16 scales, so both are aligned. */
    private Matrix splitBlocks(List<Tensor> parts, GgmlType type, int rows, int columns) {
        requireColumns(parts.getFirst(), columns, 32);
        int blocks = columns / 32;
        int quantBytes = type == GgmlType.Q8_0 ? 32 : 16;
        long quants = (long) rows * blocks * quantBytes;
        long scalesOffset = (quants + 255) & ~255L;
        var m = new Matrix(type, rows, columns, scalesOffset + (long) rows * blocks * 2, scalesOffset, 0, 0);
        int rowQuantBytes = blocks * quantBytes;
        int rowsPerCopy = (int) Math.max(1, STAGING_BYTES / 2 / rowQuantBytes);
        long rowAt = 0;
        for (var t : parts) {
            long partRows = t.rowCount();
            long rowBytes = type.bytesFor(columns);
            for (long r0 = 0; r0 < partRows; r0 += rowsPerCopy) {
                int n = (int) Math.min(rowsPerCopy, partRows - r0);
                long scaleBase = (long) n * rowQuantBytes;
                for (int r = 0; r < n; r++) {
                    long source = (r0 + r) * rowBytes;
                    for (int k = 0; k < blocks; k++) {
                        long block = source + (long) k * (2 + quantBytes);
                        staging.set(I16, scaleBase + 2L * ((long) r * blocks + k), t.data().get(I16, block));
                        MemorySegment.copy(t.data(), block + 2, staging, (long) r * rowQuantBytes + (long) k * quantBytes, quantBytes);
                    }
                }
                context.copyToDevice(m.address + (rowAt + r0) * rowQuantBytes, staging, scaleBase);
                context.copyToDevice(m.scales() + (rowAt + r0) * blocks * 2L, staging.asSlice(scaleBase), (long) n * blocks * 2);
            }
            rowAt += partRows;
        }
        return m;
    }

    /** Types without a kernel of their own (Q6_K) as F32. */
    private Matrix widened(List<Tensor> parts, int rows, int columns) {
        requireColumns(parts.getFirst(), columns, 4);
        var m = new Matrix(GgmlType.F32, rows, columns, 4L * rows * columns, 0, 0, 0);
        var row = new float[columns];
        long at = 0;
        for (var t : parts) {
            for (long r = 0; r < t.rowCount(); r++) {
                Dequantize.row(t, r, row, 0);
                MemorySegment.copy(row, 0, staging, JAVA_FLOAT, 0, columns);
                context.copyToDevice(m.address + at, staging, 4L * columns);
                at += 4L * columns;
            }
        }
        return m;
    }

    /** FP8 E4M3 bytes, then the F32 block scales. Stacking needs every part but the last to end on a block row. */
    private Matrix fp8(List<Tensor> parts, int rows, int columns) {
        var first = parts.getFirst().requireScales();
        requireColumns(parts.getFirst(), columns, 16);
        if (first.columnBlock() % 16 != 0) {
            throw new IllegalArgumentException("FP8 column blocks of " + first.columnBlock() + " are not a multiple of 16");
        }
        int scaleCount = 0;
        for (int i = 0; i < parts.size(); i++) {
            var s = parts.get(i).requireScales();
            if (s.rowBlock() != first.rowBlock() || s.columnBlock() != first.columnBlock()
                    || (i < parts.size() - 1 && parts.get(i).rowCount() % s.rowBlock() != 0)) {
                throw new IllegalArgumentException("FP8 weights with different or misaligned scale blocks cannot be stacked: " + parts);
            }
            scaleCount += s.values().length;
        }
        long dataBytes = (long) rows * columns;
        long scalesOffset = (dataBytes + 255) & ~255L;
        var m = new Matrix(GgmlType.FP8_E4M3, rows, columns, scalesOffset + 4L * scaleCount, scalesOffset,
                first.rowBlock(), first.columnBlock());
        long at = 0;
        long scaleAt = 0;
        for (var t : parts) {
            long bytes = t.rowCount() * columns;
            copy(t.data(), 0, m.address + at, bytes);
            at += bytes;
            var values = t.requireScales().values();
            copy(MemorySegment.ofArray(values), 0, m.scales() + scaleAt, 4L * values.length);
            scaleAt += 4L * values.length;
        }
        return m;
    }

    // ---- operations ---------------------------------------------------------------------------------------------

    private static long address(DeviceBuffer b) {
        return ((Buffer) b).address;
    }

    private void launch(String kernel, int gridX, int gridY, int block, KernelArguments args) {
        context.launch(kernels.function(kernel), gridX, gridY, 1, block, 1, 1, 0, args.parameters());
    }

    private static int blocks(long items, int perBlock) {
        return Math.toIntExact((items + perBlock - 1) / perBlock);
    }

    @Override
    public void matmul(DeviceMatrix w, DeviceBuffer x, int rows, DeviceBuffer out, boolean accumulate) {
        matmul((Matrix) w, address(x), rows, address(out), accumulate);
    }

    /** out (+)= W x with x and out as device addresses (the host-memory path of {@link CudaBackend} uses it too). */
    void matmul(Matrix m, long x, int rows, long out, boolean accumulate) {
        int tile = BATCH_TILES[BATCH_TILES.length - 1];
        for (int t : BATCH_TILES) {
            if (t >= rows) {
                tile = t;
                break;
            }
        }
        int gridX = blocks(m.rows, ROWS_PER_BLOCK);
        int gridY = blocks(rows, tile);
        var a = arguments.start();
        boolean integer = products == Products.INT8_ACTIVATIONS
                && (m.type == GgmlType.Q8_0 || m.type == GgmlType.Q4_0 || m.type == GgmlType.Q4_K);
        if (integer) {
            long qx = quantized().atLeast((long) rows * m.columns);
            long dx = quantizedScales().atLeast(4L * rows * (m.columns / 32));
            int blocksTotal = rows * (m.columns / 32);
            launch("quantize_q8", blocks(blocksTotal, THREADS / 32), 1, THREADS,
                    arguments.start().pointer(x).pointer(qx).pointer(dx).integer(m.columns).integer(rows));
            a = arguments.start();
            switch (m.type) {
                case Q8_0 -> a.pointer(m.address).pointer(m.scales());
                case Q4_0 -> a.pointer(m.address).pointer(m.scales());
                default -> a.pointer(m.address);
            }
            a.pointer(qx).pointer(dx).pointer(out).integer(m.rows).integer(m.columns).integer(rows).integer(accumulate ? 1 : 0);
            launch("matmul_i8_" + m.type.name().toLowerCase(java.util.Locale.ROOT) + "_" + tile, gridX, gridY, THREADS, a);
            return;
        }
        String kernel = switch (m.type) {
            case F32 -> "matmul_f32_";
            case F16 -> "matmul_f16_";
            case BF16 -> "matmul_bf16_";
            case Q8_0 -> "matmul_q8_0_";
            case Q4_0 -> "matmul_q4_0_";
            case Q4_K -> "matmul_q4_k_";
            case FP8_E4M3 -> "matmul_fp8_";
            case Q6_K -> throw new IllegalStateException("Q6_K is uploaded as F32");
        };
        switch (m.type) {
            case Q8_0, Q4_0 -> a.pointer(m.address).pointer(m.scales());
            case FP8_E4M3 -> a.pointer(m.address).pointer(m.scales()).integer(m.rowBlock).integer(m.columnBlock);
            default -> a.pointer(m.address);
        }
        a.pointer(x).pointer(out).integer(m.rows).integer(m.columns).integer(rows).integer(accumulate ? 1 : 0);
        launch(kernel + tile, gridX, gridY, THREADS, a);
    }

    private Scratch quantized() {
        return quantized == null ? quantized = new Scratch() : quantized;
    }

    private Scratch quantizedScales() {
        return quantizedScales == null ? quantizedScales = new Scratch() : quantizedScales;
    }

    @Override
    public void rmsNorm(DeviceBuffer x, int rows, int width, DeviceBuffer weight, float epsilon, DeviceBuffer out) {
        launch("rms_norm", rows, 1, THREADS, arguments.start().pointer(address(x)).pointer(address(weight))
                .pointer(address(out)).integer(width).real(epsilon));
    }

    @Override
    public void add(DeviceBuffer x, DeviceBuffer y, long n) {
        launch("add", blocks(n, THREADS), 1, THREADS,
                arguments.start().pointer(address(x)).pointer(address(y)).integer(Math.toIntExact(n)));
    }

    @Override
    public void addBias(DeviceBuffer x, int rows, int width, int stride, DeviceBuffer bias) {
        launch("add_bias", blocks((long) rows * width, THREADS), 1, THREADS, arguments.start().pointer(address(x))
                .pointer(address(bias)).integer(rows).integer(width).integer(stride));
    }

    @Override
    public void swiGlu(DeviceBuffer gateUp, int rows, int width, DeviceBuffer out) {
        launch("swiglu", blocks((long) rows * width, THREADS), 1, THREADS, arguments.start().pointer(address(gateUp))
                .pointer(address(out)).integer(rows).integer(width));
    }

    @Override
    public void rope(DeviceBuffer x, int rows, int stride, int first, int heads, int headDimension, DeviceBuffer cosSin,
                     RopeStyle style) {
        launch("rope", blocks((long) rows * heads * (headDimension / 2), THREADS), 1, THREADS,
                arguments.start().pointer(address(x)).pointer(address(cosSin)).integer(rows).integer(stride)
                        .integer(first).integer(heads).integer(headDimension).integer(style == RopeStyle.HALVES ? 1 : 0));
    }

    @Override
    public void storeKv(DeviceBuffer x, int rows, int stride, int keyOffset, int valueOffset, int kvWidth, KvSlots slots,
                        int layer) {
        launch("store_kv", blocks((long) rows * kvWidth, THREADS), 1, THREADS, arguments.start().pointer(address(x))
                .pointer(((Slots) slots).address).integer(rows).integer(stride).integer(keyOffset).integer(valueOffset)
                .integer(kvWidth).integer(layer));
    }

    @Override
    public void attention(DeviceBuffer x, int rows, int stride, int heads, int kvHeads, int headDimension, KvSlots slots,
                          int layer, DeviceBuffer out) {
        var s = (Slots) slots;
        if (rows > s.committed) throw new IllegalArgumentException(rows + " rows but " + s.committed + " committed slots");
        int longest = Math.max(1, s.longest);
        long scratch = scores().atLeast(4L * rows * heads * longest);
        launch("attention", heads, rows, 128, arguments.start().pointer(address(x)).pointer(s.address).integer(stride)
                .integer(heads).integer(kvHeads).integer(headDimension).integer(layer)
                .real((float) (1.0 / Math.sqrt(headDimension))).pointer(scratch).integer(longest).pointer(address(out)));
    }

    private Scratch scores() {
        return scores == null ? scores = new Scratch() : scores;
    }

    @Override
    public void gatherRows(DeviceBuffer x, int width, int[] rows, int count, DeviceBuffer out) {
        if (rowIndex == null) rowIndex = new Scratch();
        long index = rowIndex.atLeast(4L * count);
        MemorySegment.copy(rows, 0, staging, JAVA_INT, 0, count);
        context.copyToDevice(index, staging, 4L * count);
        launch("gather_rows", blocks((long) count * width, THREADS), 1, THREADS, arguments.start().pointer(address(x))
                .pointer(index).pointer(address(out)).integer(count).integer(width));
    }

    @Override
    public double[] copyRates(long bytes, int passes) {
        var rates = new double[passes];
        try (var from = allocate(bytes / 4); var to = allocate(bytes / 4)) {
            context.fill(from.address, 0x3f800000, bytes / 4); // 1.0f: real data, not zeros
            context.copyOnDevice(to.address, from.address, bytes); // warm-up
            for (int p = 0; p < passes; p++) {
                context.synchronize();
                long start = System.nanoTime();
                context.copyOnDevice(to.address, from.address, 4 * (bytes / 4));
                context.synchronize();
                rates[p] = 2.0 * 4 * (bytes / 4) / ((System.nanoTime() - start) / 1e9);
            }
        }
        return rates;
    }

    /** Waits for every queued operation (reports a kernel that failed). */
    public void synchronize() {
        context.synchronize();
    }

    @Override
    public void close() {
        for (var s : new Scratch[]{quantized, quantizedScales, scores, rowIndex}) if (s != null) s.free();
        context.freeHost(staging);
        arena.close();
    }

}
