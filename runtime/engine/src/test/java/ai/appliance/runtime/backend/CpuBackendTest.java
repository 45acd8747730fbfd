package ai.appliance.runtime.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ai.appliance.runtime.kernels.Dequantize;
import ai.appliance.runtime.kernels.RandomWeights;
import ai.appliance.runtime.kernels.Rope;
import ai.appliance.runtime.kernels.VectorDot;
import ai.appliance.runtime.arch.llama.Llama3RopeScaling;
import ai.appliance.runtime.model.RopeStyle;
import ai.appliance.runtime.tensor.GgmlType;
import ai.appliance.runtime.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class CpuBackendTest {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static float[] gaussian(int n, Random random) {
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) random.nextGaussian();
        return x;
    }

    /** A Q8_0 matrix with random quants and scales. */
    private static Tensor q8Matrix(int rows, int columns, Random random) {
        var data = Arena.ofAuto().allocate(GgmlType.Q8_0.bytesFor((long) rows * columns));
        for (long b = 0; b < data.byteSize() / 34; b++) {
            data.set(I16, 34 * b, Float.floatToFloat16((float) (random.nextGaussian() * 0.01)));
            for (int j = 0; j < 32; j++) data.set(ValueLayout.JAVA_BYTE, 34 * b + 2 + j, (byte) random.nextInt());
        }
        return new Tensor("w", GgmlType.Q8_0, new long[] {rows, columns}, data);
    }

    @Test
    void oneDecodeStepOverWeightsOfEveryTypeEqualsRowByRowDots() {
        // Block sums (Q4_0, Q4_K) and the scaled activation (F16) are prepared once per product for all
        // threads: mixing the types in one step checks that each kernel gets what it needs.
        var random = new Random(17);
        int rows = 20;
        int columns = 512;
        GgmlType[] types = {GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q6_K};
        var weights = new Tensor[types.length];
        var outs = new float[types.length][rows];
        for (int i = 0; i < types.length; i++) {
            weights[i] = new Tensor("w" + i, types[i], new long[] {rows, columns},
                    RandomWeights.of(types[i], (long) rows * columns, random));
        }
        var x = RandomWeights.gaussian(columns, random);
        new CpuBackend(2).matmuls(weights, x, 1, outs);
        for (int i = 0; i < types.length; i++) {
            long rowBytes = types[i].bytesFor(columns);
            for (int r = 0; r < rows; r++) {
                float expected = VectorDot.dot(types[i], weights[i].data(), r * rowBytes, x, 0, columns);
                assertEquals(expected, outs[i][r], 1e-4f * (1 + Math.abs(expected)), types[i] + " row " + r);
            }
        }
    }

    @Test
    void matmulOfSeveralRowsMatchesPlainDequantizedProduct() {
        var random = new Random(3);
        int rows = 37;
        int columns = 96;
        var w = q8Matrix(rows, columns, random);
        var dense = new float[rows * columns];
        Dequantize.values(GgmlType.Q8_0, w.data(), 0, dense, 0, rows * columns);
        try (var backend = new CpuBackend(2)) {
            for (int batch : new int[] {1, 2, 3, 5, 7}) {
                var x = gaussian(batch * columns, random);
                var out = new float[batch * rows];
                backend.matmul(w, x, batch, out);
                for (int b = 0; b < batch; b++) {
                    for (int r = 0; r < rows; r++) {
                        double expected = 0;
                        for (int c = 0; c < columns; c++) expected += dense[r * columns + c] * x[b * columns + c];
                        assertEquals(expected, out[b * rows + r], 1e-4, "batch " + batch + " row " + r);
                    }
                }
            }
        }
    }

    @Test
    void severalWeightsInOneStepEqualSeparateMatmuls() {
        var random = new Random(4);
        int columns = 64;
        var weights = new Tensor[] {q8Matrix(13, columns, random), q8Matrix(6, columns, random), q8Matrix(6, columns, random)};
        try (var backend = new CpuBackend(2)) {
            for (int batch : new int[] {1, 3}) {
                var x = gaussian(batch * columns, random);
                var outs = new float[weights.length][];
                for (int i = 0; i < weights.length; i++) outs[i] = new float[batch * (int) weights[i].rowCount()];
                backend.matmuls(weights, x, batch, outs);
                for (int i = 0; i < weights.length; i++) {
                    var expected = new float[outs[i].length];
                    backend.matmul(weights[i], x, batch, expected);
                    // Equal up to summation order: a weight's rows may fall into row tiles differently.
                    for (int j = 0; j < expected.length; j++) {
                        assertEquals(expected[j], outs[i][j], 1e-5 * (1 + Math.abs(expected[j])), "weight " + i + " batch " + batch);
                    }
                }
            }
        }
    }

    @Test
    void weightsEachOverTheirOwnInputEqualSeparateMatmuls() {
        var random = new Random(6);
        // Every type, different widths and heights: the block sums of Q4_0/Q4_K belong to each weight's own input.
        var types = new GgmlType[] {GgmlType.Q4_0, GgmlType.Q8_0, GgmlType.Q4_K, GgmlType.F16, GgmlType.F32, GgmlType.Q6_K, GgmlType.BF16};
        var weights = new Tensor[types.length];
        for (int i = 0; i < types.length; i++) {
            int rows = 5 + 3 * i;
            int columns = 256 * (1 + i % 2);
            weights[i] = new Tensor("w" + i, types[i], new long[] {rows, columns}, RandomWeights.of(types[i], (long) rows * columns, random));
        }
        try (var backend = new CpuBackend(2)) {
            // matmul below runs the decode kernels per row up to 3 rows (Q4_0, Q4_K), matmulEach the tiles: 2 and 3 compare them.
            for (int batch : new int[] {1, 2, 3}) {
                var xs = new float[weights.length][];
                var outs = new float[weights.length][];
                for (int i = 0; i < weights.length; i++) {
                    xs[i] = gaussian(batch * (int) weights[i].rowLength(), random);
                    outs[i] = new float[batch * (int) weights[i].rowCount()];
                }
                backend.matmulEach(weights, xs, batch, outs);
                for (int i = 0; i < weights.length; i++) {
                    var expected = new float[outs[i].length];
                    backend.matmul(weights[i], xs[i], batch, expected);
                    for (int j = 0; j < expected.length; j++) {
                        assertEquals(expected[j], outs[i][j], 1e-4 * (1 + Math.abs(expected[j])), types[i] + " batch " + batch);
                    }
                }
            }
        }
    }

    @Test
    void groupedQueryAttentionMatchesNaiveSoftmaxAttention() {
        var random = new Random(5);
        int heads = 4, kvHeads = 2, hd = 8, positions = 6;
        var q = gaussian(heads * hd, random);
        var keys = gaussian(positions * kvHeads * hd, random);
        var values = gaussian(positions * kvHeads * hd, random);
        var out = new float[heads * hd];
        try (var backend = new CpuBackend(2)) {
            backend.attention(q, 1, heads, kvHeads, hd, new float[][] {keys}, new float[][] {values}, new int[] {positions}, out);
        }
        for (int h = 0; h < heads; h++) {
            int kv = h / (heads / kvHeads);
            var weights = new double[positions];
            double sum = 0;
            for (int p = 0; p < positions; p++) {
                double s = 0;
                for (int i = 0; i < hd; i++) s += q[h * hd + i] * keys[(p * kvHeads + kv) * hd + i];
                weights[p] = Math.exp(s / Math.sqrt(hd));
                sum += weights[p];
            }
            for (int i = 0; i < hd; i++) {
                double expected = 0;
                for (int p = 0; p < positions; p++) expected += weights[p] / sum * values[(p * kvHeads + kv) * hd + i];
                assertEquals(expected, out[h * hd + i], 1e-5, "head " + h + " dim " + i);
            }
        }
    }

    @Test
    void ropeStylesAgreeUpToTheRowPermutationBetweenThem() {
        var random = new Random(9);
        int hd = 16;
        var scaling = new Llama3RopeScaling(8, 1, 4, 8192);
        var halves = new Rope(ai.appliance.runtime.arch.llama.LlamaRope.frequencies(hd, 500000, scaling, null), RopeStyle.HALVES);
        var adjacent = new Rope(ai.appliance.runtime.arch.llama.LlamaRope.frequencies(hd, 500000, scaling, null), RopeStyle.ADJACENT);
        var x = gaussian(hd, random);
        // ADJACENT layout: element 2i is HF element i, element 2i+1 is HF element i + hd/2.
        var permuted = new float[hd];
        for (int i = 0; i < hd / 2; i++) {
            permuted[2 * i] = x[i];
            permuted[2 * i + 1] = x[i + hd / 2];
        }
        var cos = new float[hd / 2];
        var sin = new float[hd / 2];
        halves.angles(37, cos, sin, 0);
        halves.rotate(x, 0, 1, cos, sin, 0);
        adjacent.angles(37, cos, sin, 0);
        adjacent.rotate(permuted, 0, 1, cos, sin, 0);
        for (int i = 0; i < hd / 2; i++) {
            assertEquals(x[i], permuted[2 * i], 1e-6);
            assertEquals(x[i + hd / 2], permuted[2 * i + 1], 1e-6);
        }
    }

    @Test
    void llama3ScalingEqualsTheGgufRopeFactors() {
        int hd = 32;
        var scaling = new Llama3RopeScaling(8, 1, 4, 8192);
        var factors = ai.appliance.runtime.arch.llama.Llama3RopeFactors.compute(scaling, 500000, hd);
        var viaScaling = new Rope(ai.appliance.runtime.arch.llama.LlamaRope.frequencies(hd, 500000, scaling, null), RopeStyle.HALVES);
        var viaFactors = new Rope(ai.appliance.runtime.arch.llama.LlamaRope.frequencies(hd, 500000, null, factors), RopeStyle.HALVES);
        var c1 = new float[hd / 2];
        var s1 = new float[hd / 2];
        var c2 = new float[hd / 2];
        var s2 = new float[hd / 2];
        viaScaling.angles(1000, c1, s1, 0);
        viaFactors.angles(1000, c2, s2, 0);
        for (int i = 0; i < hd / 2; i++) {
            assertEquals(c1[i], c2[i], 1e-4, "cos " + i);
            assertEquals(s1[i], s2[i], 1e-4, "sin " + i);
        }
    }

    @Test
    void workerPoolCoversEveryItemOnceAndPropagatesFailures() {
        try (var pool = new WorkerPool(3)) {
            for (int n : new int[] {1, 2, 3, 10, 1001}) {
                var hits = new AtomicIntegerArray(n);
                for (int round = 0; round < 50; round++) {
                    pool.forRange(n, (from, to, worker) -> {
                        for (int i = from; i < to; i++) hits.incrementAndGet(i);
                    });
                }
                for (int i = 0; i < n; i++) assertEquals(50, hits.get(i), "item " + i + " of " + n);
                // Each thread gets its own worker number (callers index per-thread scratch with it).
                var owners = new java.util.concurrent.ConcurrentHashMap<Integer, Thread>();
                pool.forRange(n, (from, to, worker) -> {
                    var previous = owners.putIfAbsent(worker, Thread.currentThread());
                    if (previous != null && previous != Thread.currentThread()) throw new AssertionError("worker " + worker + " shared");
                });
            }
            var e = assertThrows(IllegalStateException.class, () -> pool.forRange(100, (from, to, worker) -> {
                if (from <= 50 && 50 < to) throw new IllegalStateException("worker failed");
            }));
            assertEquals("worker failed", e.getMessage());
            // The pool still works after a failure.
            var hits = new AtomicIntegerArray(4);
            pool.forRange(4, (from, to, worker) -> {
                for (int i = from; i < to; i++) hits.incrementAndGet(i);
            });
            assertEquals(1, hits.get(3));
        }
    }

    @Test
    void everyItemRunsOncePerCallWhenSmallAndLargeRangesAlternate() {
        // A worker leaving one call races with the next call's setup. Each bound a claim checks must come
        // from the atomic ticket: a size read from a field can already be the next call's larger one, and the
        // worker then claims items of a finished call and runs them with the new call's task (items twice).
        try (var pool = new WorkerPool(3)) {
            int small = 8, large = 4096, rounds = 20_000;
            var smallHits = new AtomicIntegerArray(small);
            var largeHits = new AtomicIntegerArray(large);
            assertTimeoutPreemptively(java.time.Duration.ofMinutes(2), () -> {
                for (int round = 0; round < rounds; round++) {
                    var hits = round % 2 == 0 ? smallHits : largeHits;
                    pool.forRange(hits.length(), 4, 3, (from, to, worker) -> {
                        for (int i = from; i < to; i++) hits.incrementAndGet(i);
                    });
                }
            });
            for (int i = 0; i < small; i++) assertEquals(rounds / 2, smallHits.get(i), "small range, item " + i);
            for (int i = 0; i < large; i++) assertEquals(rounds / 2, largeHits.get(i), "large range, item " + i);
        }
    }

    @Test
    void alignedChunksStartAtMultiplesOfTheAlignmentAndCoverTheRange() {
        try (var pool = new WorkerPool(2)) {
            for (int n : new int[] {1, 3, 4, 5, 37, 1536, 8961}) {
                var hits = new AtomicIntegerArray(n);
                var misaligned = new java.util.concurrent.atomic.AtomicInteger();
                pool.forRange(n, 4, 2, (from, to, worker) -> {
                    if (from % 4 != 0 || (to % 4 != 0 && to != n)) misaligned.incrementAndGet();
                    for (int i = from; i < to; i++) hits.incrementAndGet(i);
                });
                assertEquals(0, misaligned.get(), "chunks of " + n);
                for (int i = 0; i < n; i++) assertEquals(1, hits.get(i), "item " + i + " of " + n);
            }
        }
    }
}
