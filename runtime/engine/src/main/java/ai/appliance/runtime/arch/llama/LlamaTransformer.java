package ai.appliance.runtime.arch.llama;

import ai.appliance.runtime.arch.OutputHead;
import ai.appliance.runtime.arch.TokenChunks;
import ai.appliance.runtime.backend.Backend;
import ai.appliance.runtime.engine.CachedSequence;
import ai.appliance.runtime.engine.LanguageModel;
import ai.appliance.runtime.engine.Sequence;
import ai.appliance.runtime.kernels.Rope;
import ai.appliance.runtime.tensor.Tensor;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * The decoder-only transformer of Llama-3 and Qwen2 (DeepSeek-R1 distills): the forward pass
 * only, every operation computed through a {@link Backend}. All tokens of all sequences in one
 * call go through the layers together in chunks of at most {@code chunkTokens}, so each weight
 * matrix is read once per chunk. Logits are computed only for each sequence's last new token
 * and written to that sequence's buffer, which the next forward of the sequence overwrites.
 */
public final class LlamaTransformer implements LanguageModel {
    /** Prompt tokens per pass through the layers: bounds scratch memory, long enough to read each weight once per many tokens. */
    public static final int DEFAULT_CHUNK_TOKENS = 64;

    private final LlamaConfig c;
    private final LlamaWeights w;
    private final LlamaVectors norms;
    private final Backend backend;
    private final OutputHead outputHead;
    private final Rope rope;
    private final int chunkTokens;
    private final int qWidth;
    private final int kvWidth;
    // Scratch for one chunk, allocated once.
    private final float[] x, xb, q, k, v, attention, projected, gate, up, cos, sin;
    private final float[][] chunkKeys, chunkValues;
    // Per layer, the weights that read the same input, multiplied in one parallel step.
    private final Tensor[][] queryKeyValue, gateUp;
    private final float[][] qkvOut, gateUpOut;
    private final int[] chunkLengths;
    private final TokenChunks<LlamaSequence> chunks;
    /** {@link #runChunk} as the chunk walker calls it, made once. */
    private final IntConsumer chunkRunner = this::runChunk;

    public LlamaTransformer(LlamaConfig config, LlamaWeights weights, Backend backend, int chunkTokens) {
        if (chunkTokens < 1) throw new IllegalArgumentException("chunk size must be at least 1 token, got " + chunkTokens);
        this.c = config;
        this.w = weights;
        this.norms = LlamaVectors.check(config, weights);
        this.backend = backend;
        this.outputHead = new OutputHead(backend, norms.outputNorm(), config.rmsNormEpsilon(), weights.output(),
                config.embeddingLength(), config.vocabularySize());
        this.rope = LlamaRope.of(config);
        this.chunkTokens = chunkTokens;
        this.qWidth = c.headCount() * c.headDimension();
        this.kvWidth = c.keyValueHeadCount() * c.headDimension();
        int dim = c.embeddingLength();
        x = new float[chunkTokens * dim];
        xb = new float[chunkTokens * dim];
        q = new float[chunkTokens * qWidth];
        k = new float[chunkTokens * kvWidth];
        v = new float[chunkTokens * kvWidth];
        attention = new float[chunkTokens * qWidth];
        projected = new float[chunkTokens * dim];
        gate = new float[chunkTokens * c.feedForwardLength()];
        up = new float[chunkTokens * c.feedForwardLength()];
        cos = new float[chunkTokens * c.headDimension() / 2];
        sin = new float[chunkTokens * c.headDimension() / 2];
        chunkKeys = new float[chunkTokens][];
        chunkValues = new float[chunkTokens][];
        chunkLengths = new int[chunkTokens];
        chunks = new TokenChunks<>(chunkTokens, LlamaSequence[]::new);
        queryKeyValue = new Tensor[c.layerCount()][];
        gateUp = new Tensor[c.layerCount()][];
        for (int l = 0; l < c.layerCount(); l++) {
            var layer = w.layers().get(l);
            queryKeyValue[l] = new Tensor[]{layer.query(), layer.key(), layer.value()};
            gateUp[l] = new Tensor[]{layer.gate(), layer.up()};
        }
        qkvOut = new float[][]{q, k, v};
        gateUpOut = new float[][]{gate, up};
    }

    @Override
    public LlamaConfig config() {
        return c;
    }

    public Backend backend() {
        return backend;
    }

    @Override
    public Sequence newSequence(int capacity) {
        if (capacity < 1 || capacity > c.contextLength()) {
            throw new IllegalArgumentException("a sequence holds 1 to " + c.contextLength()
                    + " positions (the model's context length), asked for " + capacity);
        }
        if ((long) capacity * kvWidth > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a KV cache of " + capacity + " positions × " + kvWidth
                    + " values per layer exceeds one Java array; use a smaller context");
        }
        try {
            return new LlamaSequence(this, capacity, c.layerCount(), kvWidth, c.vocabularySize());
        } catch (OutOfMemoryError e) {
            // One large allocation failed (after the JVM collected what it could); nothing else is affected, so
            // report it as the caller's sizing problem. Serving never gets here: its KvBudget admits requests
            // only while their caches fit a share of the heap.
            var runtime = Runtime.getRuntime();
            long free = runtime.maxMemory() - (runtime.totalMemory() - runtime.freeMemory());
            throw kvCacheTooLarge(capacity, sequenceBytes(capacity), free);
        }
    }

    @Override
    public long sequenceBytes(int capacity) {
        return (2L * c.layerCount() * capacity * kvWidth + c.vocabularySize()) * Float.BYTES;
    }

    private static IllegalArgumentException kvCacheTooLarge(int capacity, long bytes, long available) {
        return new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                "a KV cache for %d positions needs %.2f GiB but only %.2f GiB of Java heap is free; "
                        + "use a smaller context or a larger heap (-Xmx)", capacity, bytes / 1073741824.0, available / 1073741824.0));
    }

    @Override
    public synchronized float[][] forward(List<Sequence> sequences, List<int[]> tokens) {
        var batch = CachedSequence.checkBatch(this, LlamaSequence.class, LlamaSequence[]::new, sequences, tokens, c.vocabularySize());
        return chunks.forward(batch, tokens, backend, w.tokenEmbedding(), x, c.embeddingLength(), chunkRunner);
    }

    /** The layers over the {@code n} tokens gathered into x, then logits for those that end their sequence. */
    private void runChunk(int n) {
        int dim = c.embeddingLength();
        int half = c.headDimension() / 2;
        for (int t = 0; t < n; t++) {
            rope.angles(chunks.positions[t], cos, sin, t * half);
            chunkLengths[t] = chunks.positions[t] + 1;
        }
        for (int l = 0; l < c.layerCount(); l++) {
            var layer = w.layers().get(l);
            // Attention block.
            backend.rmsNorm(x, n, dim, norms.attentionNorm(l), c.rmsNormEpsilon(), xb);
            backend.matmuls(queryKeyValue[l], xb, n, qkvOut);
            if (norms.queryBias(l) != null) {
                backend.addBias(q, n, norms.queryBias(l));
                backend.addBias(k, n, norms.keyBias(l));
                backend.addBias(v, n, norms.valueBias(l));
            }
            backend.rope(rope, q, n, c.headCount(), cos, sin);
            backend.rope(rope, k, n, c.keyValueHeadCount(), cos, sin);
            for (int t = 0; t < n; t++) {
                var seq = chunks.sequences[t];
                System.arraycopy(k, t * kvWidth, seq.keys[l], chunks.positions[t] * kvWidth, kvWidth);
                System.arraycopy(v, t * kvWidth, seq.values[l], chunks.positions[t] * kvWidth, kvWidth);
                chunkKeys[t] = seq.keys[l];
                chunkValues[t] = seq.values[l];
            }
            backend.attention(q, n, c.headCount(), c.keyValueHeadCount(), c.headDimension(),
                    chunkKeys, chunkValues, chunkLengths, attention);
            backend.matmul(layer.attentionOutput(), attention, n, projected);
            backend.add(x, projected, n * dim);
            // Feed-forward block: down(silu(gate(x)) * up(x)).
            backend.rmsNorm(x, n, dim, norms.feedForwardNorm(l), c.rmsNormEpsilon(), xb);
            backend.matmuls(gateUp[l], xb, n, gateUpOut);
            backend.swiGlu(gate, up, n * c.feedForwardLength());
            backend.matmul(layer.down(), gate, n, projected);
            backend.add(x, projected, n * dim);
        }
        emitLogits(n);
    }

    private void emitLogits(int n) {
        outputHead.emit(x, n, chunks.emitsLogits, chunks.sequences);
    }

    @Override
    public void close() {
        backend.close();
    }
}
