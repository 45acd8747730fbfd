package ai.appliance.runtime.arch.llama;

import ai.appliance.runtime.arch.TokenChunks;
import ai.appliance.runtime.backend.Backend;
import ai.appliance.runtime.backend.DeviceCompute;
import ai.appliance.runtime.backend.DeviceCompute.DeviceBuffer;
import ai.appliance.runtime.backend.DeviceCompute.DeviceMatrix;
import ai.appliance.runtime.engine.CachedSequence;
import ai.appliance.runtime.engine.LanguageModel;
import ai.appliance.runtime.engine.Sequence;
import ai.appliance.runtime.kernels.Rope;
import ai.appliance.runtime.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * {@link LlamaTransformer}'s forward pass with its activations and KV caches in device memory ({@link DeviceCompute}):
 * only token embeddings go up and the logits of each sequence's last token come back. Query, key and value weights
 * are one stacked matrix (one product per layer), as are gate and up; residual adds are fused into the output
 * products. Same numbers as the CPU pass up to the order of float sums.
 */
final class LlamaDeviceTransformer implements LanguageModel {
    private final LlamaConfig c;
    private final Backend backend;
    private final DeviceCompute device;
    private final Tensor embedding;
    private final Rope rope;
    private final int qWidth, kvWidth, rowWidth, half;
    private final List<Layer> layers = new ArrayList<>();
    private final DeviceBuffer outputNorm;
    private final DeviceMatrix output;
    // Host scratch of one chunk: gathered embeddings and RoPE angles.
    private final float[] x, cos, sin, cosSin;
    private final int[] emitRows;
    // Device scratch of one chunk.
    private final DeviceBuffer dx, dxb, dqkv, dattention, dgateUp, dactivation, dcosSin, dfinal, dlogits;
    private final DeviceCompute.KvSlots slots;
    private final TokenChunks<LlamaDeviceSequence> chunks;
    private final IntConsumer chunkRunner = this::runChunk;
    private final List<DeviceCompute.Allocation> owned = new ArrayList<>();

    private record Layer(DeviceBuffer attentionNorm, DeviceMatrix queryKeyValue, DeviceBuffer bias,
                         DeviceMatrix attentionOutput, DeviceBuffer feedForwardNorm, DeviceMatrix gateUp,
                         DeviceMatrix down) {
    }

    LlamaDeviceTransformer(LlamaConfig config, LlamaWeights weights, Backend backend, int chunkTokens) {
        this.c = config;
        this.backend = backend;
        this.device = backend.device();
        var norms = LlamaVectors.check(config, weights);
        this.embedding = weights.tokenEmbedding();
        this.rope = LlamaRope.of(config);
        this.qWidth = c.headCount() * c.headDimension();
        this.kvWidth = c.keyValueHeadCount() * c.headDimension();
        this.rowWidth = qWidth + 2 * kvWidth;
        this.half = c.headDimension() / 2;
        int dim = c.embeddingLength();
        int ff = c.feedForwardLength();
        try {
            for (int l = 0; l < c.layerCount(); l++) {
                var w = weights.layers().get(l);
                DeviceBuffer bias = null;
                if (norms.queryBias(l) != null) {
                    var joined = new float[rowWidth];
                    System.arraycopy(norms.queryBias(l), 0, joined, 0, qWidth);
                    System.arraycopy(norms.keyBias(l), 0, joined, qWidth, kvWidth);
                    System.arraycopy(norms.valueBias(l), 0, joined, qWidth + kvWidth, kvWidth);
                    bias = own(device.upload(joined));
                }
                layers.add(new Layer(own(device.upload(norms.attentionNorm(l))),
                        own(device.upload(List.of(w.query(), w.key(), w.value()))), bias,
                        own(device.upload(List.of(w.attentionOutput()))), own(device.upload(norms.feedForwardNorm(l))),
                        own(device.upload(List.of(w.gate(), w.up()))), own(device.upload(List.of(w.down())))));
            }
            outputNorm = own(device.upload(norms.outputNorm()));
            output = own(device.upload(List.of(weights.output())));
            x = new float[chunkTokens * dim];
            cos = new float[half];
            sin = new float[half];
            cosSin = new float[chunkTokens * c.headDimension()];
            emitRows = new int[chunkTokens];
            dx = own(device.allocate((long) chunkTokens * dim));
            dxb = own(device.allocate((long) chunkTokens * dim));
            dqkv = own(device.allocate((long) chunkTokens * rowWidth));
            dattention = own(device.allocate((long) chunkTokens * qWidth));
            dgateUp = own(device.allocate((long) chunkTokens * 2 * ff));
            dactivation = own(device.allocate((long) chunkTokens * ff));
            dcosSin = own(device.allocate((long) chunkTokens * c.headDimension()));
            dfinal = own(device.allocate((long) chunkTokens * dim));
            dlogits = own(device.allocate((long) chunkTokens * c.vocabularySize()));
            slots = own(device.newKvSlots(chunkTokens));
        } catch (RuntimeException | Error e) {
            owned.forEach(DeviceCompute.Allocation::close);
            throw e;
        }
        chunks = new TokenChunks<>(chunkTokens, LlamaDeviceSequence[]::new);
    }

    private <A extends DeviceCompute.Allocation> A own(A allocation) {
        owned.add(allocation);
        return allocation;
    }

    @Override
    public LlamaConfig config() {
        return c;
    }

    @Override
    public Sequence newSequence(int capacity) {
        if (capacity < 1 || capacity > c.contextLength()) {
            throw new IllegalArgumentException("a sequence holds 1 to " + c.contextLength()
                    + " positions (the model's context length), asked for " + capacity);
        }
        return new LlamaDeviceSequence(this, device.newKvCache(c.layerCount(), capacity, kvWidth), c.vocabularySize());
    }

    /** Only the logits buffer is on the heap; the cache is device memory. */
    @Override
    public long sequenceBytes(int capacity) {
        return (long) c.vocabularySize() * Float.BYTES;
    }

    @Override
    public synchronized float[][] forward(List<Sequence> sequences, List<int[]> tokens) {
        var batch = CachedSequence.checkBatch(this, LlamaDeviceSequence.class, LlamaDeviceSequence[]::new, sequences,
                tokens, c.vocabularySize());
        return chunks.forward(batch, tokens, backend, embedding, x, c.embeddingLength(), chunkRunner);
    }

    private void runChunk(int n) {
        int dim = c.embeddingLength();
        int headDim = c.headDimension();
        float eps = c.rmsNormEpsilon();
        for (int t = 0; t < n; t++) {
            rope.angles(chunks.positions[t], cos, sin, 0);
            System.arraycopy(cos, 0, cosSin, t * headDim, half);
            System.arraycopy(sin, 0, cosSin, t * headDim + half, half);
            slots.set(t, chunks.sequences[t].cache, chunks.positions[t]);
        }
        slots.commit(n);
        device.write(x, 0, n * dim, dx, 0);
        device.write(cosSin, 0, n * headDim, dcosSin, 0);
        for (int l = 0; l < layers.size(); l++) {
            var layer = layers.get(l);
            device.rmsNorm(dx, n, dim, layer.attentionNorm(), eps, dxb);
            device.matmul(layer.queryKeyValue(), dxb, n, dqkv, false);
            if (layer.bias() != null) device.addBias(dqkv, n, rowWidth, rowWidth, layer.bias());
            device.rope(dqkv, n, rowWidth, 0, c.headCount() + c.keyValueHeadCount(), headDim, dcosSin, c.ropeStyle());
            device.storeKv(dqkv, n, rowWidth, qWidth, qWidth + kvWidth, kvWidth, slots, l);
            device.attention(dqkv, n, rowWidth, c.headCount(), c.keyValueHeadCount(), headDim, slots, l, dattention);
            device.matmul(layer.attentionOutput(), dattention, n, dx, true);
            device.rmsNorm(dx, n, dim, layer.feedForwardNorm(), eps, dxb);
            device.matmul(layer.gateUp(), dxb, n, dgateUp, false);
            device.swiGlu(dgateUp, n, c.feedForwardLength(), dactivation);
            device.matmul(layer.down(), dactivation, n, dx, true);
        }
        int rows = 0;
        for (int t = 0; t < n; t++) if (chunks.emitsLogits[t]) emitRows[rows++] = t;
        if (rows == 0) return;
        device.gatherRows(dx, dim, emitRows, rows, dfinal);
        device.rmsNorm(dfinal, rows, dim, outputNorm, eps, dfinal);
        device.matmul(output, dfinal, rows, dlogits, false);
        int vocabulary = c.vocabularySize();
        for (int i = 0; i < rows; i++) {
            device.read(dlogits, (long) i * vocabulary, chunks.sequences[emitRows[i]].logits(), 0, vocabulary);
        }
    }

    @Override
    public void close() {
        owned.forEach(DeviceCompute.Allocation::close);
        backend.close();
    }
}
