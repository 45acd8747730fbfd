package ai.appliance.runtime.arch.deepseek2;

import ai.appliance.runtime.arch.OutputHead;
import ai.appliance.runtime.arch.TokenChunks;
import ai.appliance.runtime.backend.Backend;
import ai.appliance.runtime.engine.CachedSequence;
import ai.appliance.runtime.engine.LanguageModel;
import ai.appliance.runtime.engine.Sequence;
import ai.appliance.runtime.kernels.Dequantize;
import ai.appliance.runtime.kernels.RmsNorm;
import ai.appliance.runtime.kernels.Rope;
import ai.appliance.runtime.kernels.SwiGlu;
import ai.appliance.runtime.kernels.VectorDot;
import ai.appliance.runtime.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * The forward pass of DeepSeek-V2, V2-Lite, V3 and R1: Multi-head Latent Attention computed in absorbed form over a
 * compressed cache, and DeepSeekMoE feed-forward layers. All tokens of all sequences in one call go through the layers
 * together in chunks of at most {@code chunkTokens}, so each weight is read once per chunk; logits are computed only
 * for each sequence's last new token.
 *
 * <h2>Attention</h2>
 * Per token: {@code q} through the q LoRA ({@code q_b(rmsnorm(q_a(x)))}) or the plain q projection, per head
 * {@code [q_nope | q_rope]}; {@code kv_a_mqa(x) = [c_kv | k_rope]}. The cache keeps {@code rmsnorm(c_kv)} and
 * {@code rope(k_rope)} ({@link DeepSeek2Sequence}). Instead of decompressing every cached position into per-head keys
 * {@code [W_kb·c_kv | k_rope]} and values {@code W_vb·c_kv}, the query moves into latent space: per head
 * {@code q_latent = W_kbᵀ·q_nope}, so that the score {@code q_latent·c_kv + q_rope·k_rope} equals
 * {@code q·k}; the attention-weighted sum stays in latent space and is decompressed once, {@code W_vb·Σ p·c_kv}. That
 * is multi-query attention with one key/value head of width kv_lora + qk_rope over the cache row itself (keys and
 * values are the same row; the rotary tail of the weighted sum is ignored), which the backend's attention computes.
 * Its fixed 1/√width scale is replaced by DeepSeek's {@code (qk_nope + qk_rope)^−½ · mscale²} by pre-scaling the
 * latent query. RoPE rotates adjacent pairs with YaRN frequencies. The per-head matrices are
 * {@link AbsorbedProjections} (views of the file, or a transposed copy for legacy files: see there for the memory).
 *
 * <h2>Feed-forward</h2>
 * Dense SwiGLU for the leading layers. MoE layers: router logits in F32 through the backend, then
 * {@link DeepSeek2Router} per token; the chunk's tokens are grouped by expert so that each chosen expert's matrices
 * are read once per chunk, for the rows of the tokens routed to it; experts nobody chose are not read. The shared
 * experts run on every token. A single token (decode) computes the gate and up projections of all its experts in
 * one parallel step and their down projections in another. The per-head projections of attention likewise go to the
 * backend as one step per layer ({@link Backend#matmulEach}): one at a time, each would be too small to use more than
 * one thread.
 */
public final class DeepSeek2Model implements LanguageModel {
    /** Prompt tokens per pass through the layers: bounds scratch memory, long enough to read each weight once per many tokens. */
    public static final int DEFAULT_CHUNK_TOKENS = 128;

    private final DeepSeek2Config c;
    private final DeepSeek2Weights w;
    private final Backend backend;
    private final Rope rope;
    private final AbsorbedProjections absorbed;
    private final DeepSeek2Router router;
    private final int chunkTokens;
    private final int hidden, heads, nope, ropeDims, rank, latentWidth, valueDim, queryWidth, queryHeadDim;
    /** Pre-scales the latent query: the backend's attention divides by √latentWidth, DeepSeek's by √(nope + rope)/mscale². */
    private final float queryScale;
    /** YaRN's cos/sin amplitude, 1 for every released model. */
    private final float ropeAmplitude;
    private final float[][] attentionNorms, ffnNorms, queryANorms, kvANorms, routerBiases;
    private final float[] outputNorm;
    private final OutputHead outputHead;
    // Per layer, the weights that read the same input, multiplied in one parallel step.
    private final Tensor[][] firstProjections, gateUp, sharedGateUp;
    private final Tensor[][][] expertGateUp;
    // Scratch for one chunk, allocated once.
    private final float[] x, xb, qa, q, kva, attentionQuery, attentionOut, attentionConcat, projected, gate, up, cos, sin;
    // Per head: the non-rotary query, its latent projection, the attention-weighted latent and its value projection.
    private final float[][] qNope, qLatent, context, headOut;
    private final float[][] firstOuts, gateUpOuts;
    private final float[] routerLogits, routeWeights, slotWeights, expertIn, expertOut;
    private final int[] chosen, expertCounts, expertStarts, expertFill, slotTokens;
    private final Tensor[] decodeGateUp;
    private final float[][] decodeGateUpOuts, decodeDownOuts, decodeDownIns;
    private final Tensor[] decodeDowns;
    private final float[][] chunkLatents;
    private final int[] chunkLengths;
    private final TokenChunks<DeepSeek2Sequence> chunks;
    /** {@link #runChunk} as the chunk walker calls it, made once. */
    private final IntConsumer chunkRunner = this::runChunk;

    public DeepSeek2Model(DeepSeek2Config config, DeepSeek2Weights weights, Backend backend, int chunkTokens) {
        if (chunkTokens < 1) throw new IllegalArgumentException("chunk size must be at least 1 token, got " + chunkTokens);
        if (weights.layers().size() != config.layerCount()) {
            throw new IllegalArgumentException("the config has " + config.layerCount() + " layers but the weights hold " + weights.layers().size());
        }
        this.c = config;
        this.w = weights;
        this.backend = backend;
        this.chunkTokens = chunkTokens;
        hidden = c.embeddingLength();
        heads = c.headCount();
        nope = c.qkNopeHeadDim();
        ropeDims = c.qkRopeHeadDim();
        rank = c.kvLoraRank();
        latentWidth = c.latentWidth();
        valueDim = c.valueHeadDim();
        queryHeadDim = c.queryHeadDim();
        queryWidth = heads * queryHeadDim;
        var frequencies = c.yarn() == null ? Rope.plainFrequencies(ropeDims, c.ropeTheta()) : c.yarn().inverseFrequencies(ropeDims, c.ropeTheta());
        rope = new Rope(frequencies, c.ropeStyle());
        ropeAmplitude = c.yarn() == null ? 1f : (float) c.yarn().ropeAmplitude();
        queryScale = (float) (c.softmaxScale() * Math.sqrt(latentWidth));
        router = c.hasMoeLayers() ? DeepSeek2Router.of(c) : null;

        int layers = c.layerCount();
        attentionNorms = new float[layers][];
        ffnNorms = new float[layers][];
        queryANorms = new float[layers][];
        kvANorms = new float[layers][];
        routerBiases = new float[layers][];
        firstProjections = new Tensor[layers][];
        gateUp = new Tensor[layers][];
        sharedGateUp = new Tensor[layers][];
        expertGateUp = new Tensor[layers][][];
        for (int l = 0; l < layers; l++) {
            var layer = w.layers().get(l);
            attentionNorms[l] = vector(layer.attentionNorm());
            ffnNorms[l] = vector(layer.ffnNorm());
            kvANorms[l] = vector(layer.kvANorm());
            if (layer.queryANorm() != null) queryANorms[l] = vector(layer.queryANorm());
            if (layer.routerBias() != null) routerBiases[l] = vector(layer.routerBias());
            firstProjections[l] = c.hasQueryLora() ? new Tensor[] {layer.queryA(), layer.kvAMqa()} : new Tensor[] {layer.query(), layer.kvAMqa()};
            if (layer.isMoe()) {
                if (layer.sharedGate() != null) sharedGateUp[l] = new Tensor[] {layer.sharedGate(), layer.sharedUp()};
                expertGateUp[l] = new Tensor[layer.experts().size()][];
                for (int e = 0; e < layer.experts().size(); e++) {
                    var expert = layer.experts().get(e);
                    expertGateUp[l][e] = new Tensor[] {expert.gate(), expert.up()};
                }
            } else {
                gateUp[l] = new Tensor[] {layer.gate(), layer.up()};
            }
        }
        outputNorm = vector(w.outputNorm());
        outputHead = new OutputHead(backend, outputNorm, c.rmsNormEpsilon(), w.output(), hidden, c.vocabularySize());
        absorbed = new AbsorbedProjections(c, w, backend);

        int n = chunkTokens;
        x = new float[n * hidden];
        xb = new float[n * hidden];
        qa = new float[n * Math.max(1, c.queryLoraRank())];
        q = new float[n * queryWidth];
        kva = new float[n * latentWidth];
        firstOuts = new float[][] {c.hasQueryLora() ? qa : q, kva};
        qNope = new float[heads][n * nope];
        qLatent = new float[heads][n * rank];
        attentionQuery = new float[n * heads * latentWidth];
        attentionOut = new float[n * heads * latentWidth];
        context = new float[heads][n * rank];
        headOut = new float[heads][n * valueDim];
        attentionConcat = new float[n * heads * valueDim];
        projected = new float[n * hidden];
        int widest = Math.max(c.leadingDenseBlocks() > 0 ? c.feedForwardLength() : 0,
                c.hasMoeLayers() ? Math.max(c.sharedFeedForwardLength(), c.expertFeedForwardLength()) : 0);
        gate = new float[n * Math.max(1, widest)];
        up = new float[n * Math.max(1, widest)];
        gateUpOuts = new float[][] {gate, up};
        cos = new float[n * ropeDims / 2];
        sin = new float[n * ropeDims / 2];
        int experts = c.hasMoeLayers() ? c.expertCount() : 0;
        int k = c.hasMoeLayers() ? c.expertsPerToken() : 0;
        routerLogits = new float[n * experts];
        chosen = new int[n * k];
        routeWeights = new float[n * k];
        slotTokens = new int[n * k];
        slotWeights = new float[n * k];
        expertCounts = new int[experts];
        expertStarts = new int[experts + 1];
        expertFill = new int[experts];
        expertIn = new float[c.hasMoeLayers() ? n * hidden : 0];
        expertOut = new float[c.hasMoeLayers() ? n * hidden : 0];
        decodeGateUp = new Tensor[2 * k];
        decodeGateUpOuts = new float[2 * k][c.hasMoeLayers() ? c.expertFeedForwardLength() : 0];
        decodeDowns = new Tensor[k];
        decodeDownOuts = new float[k][c.hasMoeLayers() ? hidden : 0];
        decodeDownIns = new float[k][];
        chunkLatents = new float[n][];
        chunkLengths = new int[n];
        chunks = new TokenChunks<>(n, DeepSeek2Sequence[]::new);
    }

    private static float[] vector(Tensor t) {
        var out = new float[Math.toIntExact(t.elementCount())];
        Dequantize.values(t.type(), t.data(), 0, out, 0, out.length);
        return out;
    }

    @Override
    public DeepSeek2Config config() {
        return c;
    }

    public Backend backend() {
        return backend;
    }

    /**
     * Bytes of the absorbed per-head matrices copied at load (0 for split-layout GGUF files, whose {@code attn_k_b} and
     * {@code attn_v_b} are used in place): see {@link AbsorbedProjections}.
     */
    public long absorbedCopyBytes() {
        return absorbed.copiedBytes();
    }

    @Override
    public Sequence newSequence(int capacity) {
        if (capacity < 1 || capacity > c.contextLength()) {
            throw new IllegalArgumentException("a sequence holds 1 to " + c.contextLength()
                    + " positions (the model's context length), asked for " + capacity);
        }
        if ((long) capacity * latentWidth > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a latent cache of " + capacity + " positions × " + latentWidth
                    + " values per layer exceeds one Java array; use a smaller context");
        }
        try {
            return new DeepSeek2Sequence(this, capacity, c.layerCount(), latentWidth, c.vocabularySize());
        } catch (OutOfMemoryError e) {
            var runtime = Runtime.getRuntime();
            long free = runtime.maxMemory() - (runtime.totalMemory() - runtime.freeMemory());
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                    "a KV cache for %d positions needs %.2f GiB but only %.2f GiB of Java heap is free; "
                            + "use a smaller context or a larger heap (-Xmx)", capacity, sequenceBytes(capacity) / 1073741824.0,
                    free / 1073741824.0));
        }
    }

    @Override
    public long sequenceBytes(int capacity) {
        return ((long) c.layerCount() * capacity * latentWidth + c.vocabularySize()) * Float.BYTES;
    }

    @Override
    public synchronized float[][] forward(List<Sequence> sequences, List<int[]> tokens) {
        var batch = CachedSequence.checkBatch(this, DeepSeek2Sequence.class, DeepSeek2Sequence[]::new, sequences, tokens, c.vocabularySize());
        return chunks.forward(batch, tokens, backend, w.tokenEmbedding(), x, hidden, chunkRunner);
    }

    /** The layers over the {@code n} tokens gathered into x, then logits for those that end their sequence. */
    private void runChunk(int n) {
        int half = ropeDims / 2;
        for (int t = 0; t < n; t++) {
            rope.angles(chunks.positions[t], cos, sin, t * half);
            chunkLengths[t] = chunks.positions[t] + 1;
        }
        for (int l = 0; l < c.layerCount(); l++) {
            backend.rmsNorm(x, n, hidden, attentionNorms[l], c.rmsNormEpsilon(), xb);
            attention(l, n);
            backend.add(x, projected, n * hidden);
            backend.rmsNorm(x, n, hidden, ffnNorms[l], c.rmsNormEpsilon(), xb);
            if (c.isMoeLayer(l)) {
                mixtureOfExperts(l, n);
            } else {
                var layer = w.layers().get(l);
                backend.matmuls(gateUp[l], xb, n, gateUpOuts);
                backend.swiGlu(gate, up, n * c.feedForwardLength());
                backend.matmul(layer.down(), gate, n, projected);
            }
            backend.add(x, projected, n * hidden);
        }
        emitLogits(n);
    }

    /** Absorbed MLA of layer l over the chunk (xb normalised), leaving the output projection in {@code projected}. */
    private void attention(int l, int n) {
        var layer = w.layers().get(l);
        float eps = c.rmsNormEpsilon();
        int half = ropeDims / 2;
        backend.matmuls(firstProjections[l], xb, n, firstOuts);
        if (c.hasQueryLora()) {
            backend.rmsNorm(qa, n, c.queryLoraRank(), queryANorms[l], eps, qa);
            backend.matmul(layer.queryB(), qa, n, q);
        }
        for (int t = 0; t < n; t++) {
            // This position's cache row: the normalised latent, then the shared rotary key.
            float[] cache = chunks.sequences[t].latent[l];
            int row = chunks.positions[t] * latentWidth;
            RmsNorm.apply(kva, t * latentWidth, kvANorms[l], eps, cache, row, rank);
            System.arraycopy(kva, t * latentWidth + rank, cache, row + rank, ropeDims);
            rope.rotate(cache, row + rank, 1, cos, sin, t * half);
            if (ropeAmplitude != 1f) scale(cache, row + rank, ropeDims, ropeAmplitude);
            for (int h = 0; h < heads; h++) {
                int at = t * queryWidth + h * queryHeadDim + nope;
                rope.rotate(q, at, 1, cos, sin, t * half);
                if (ropeAmplitude != 1f) scale(q, at, ropeDims, ropeAmplitude);
            }
            chunkLatents[t] = cache;
        }
        // The query of each head in latent space, [W_kbᵀ·q_nope | q_rope], pre-scaled: all heads' products in one parallel step.
        for (int h = 0; h < heads; h++) {
            for (int t = 0; t < n; t++) System.arraycopy(q, t * queryWidth + h * queryHeadDim, qNope[h], t * nope, nope);
        }
        backend.matmulEach(absorbed.keyAbsorb[l], qNope, n, qLatent);
        for (int h = 0; h < heads; h++) {
            for (int t = 0; t < n; t++) {
                int to = (t * heads + h) * latentWidth;
                for (int i = 0; i < rank; i++) attentionQuery[to + i] = qLatent[h][t * rank + i] * queryScale;
                int from = t * queryWidth + h * queryHeadDim + nope;
                for (int i = 0; i < ropeDims; i++) attentionQuery[to + rank + i] = q[from + i] * queryScale;
            }
        }
        backend.attention(attentionQuery, n, heads, 1, latentWidth, chunkLatents, chunkLatents, chunkLengths, attentionOut);
        // Each head's weighted latent, decompressed once: W_vb·Σ p·c_kv.
        for (int h = 0; h < heads; h++) {
            for (int t = 0; t < n; t++) System.arraycopy(attentionOut, (t * heads + h) * latentWidth, context[h], t * rank, rank);
        }
        backend.matmulEach(absorbed.valueUp[l], context, n, headOut);
        for (int h = 0; h < heads; h++) {
            for (int t = 0; t < n; t++) System.arraycopy(headOut[h], t * valueDim, attentionConcat, (t * heads + h) * valueDim, valueDim);
        }
        backend.matmul(layer.attentionOutput(), attentionConcat, n, projected);
    }

    private static void scale(float[] v, int offset, int n, float factor) {
        for (int i = 0; i < n; i++) v[offset + i] *= factor;
    }

    /** The MoE block of layer l over the chunk (xb normalised): shared experts plus the weighted routed experts, into {@code projected}. */
    private void mixtureOfExperts(int l, int n) {
        var layer = w.layers().get(l);
        int experts = c.expertCount();
        int k = router.expertsPerToken();
        backend.matmul(layer.router(), xb, n, routerLogits);
        for (int t = 0; t < n; t++) router.route(routerLogits, t * experts, routerBiases[l], chosen, routeWeights, t * k);
        if (sharedGateUp[l] != null) {
            backend.matmuls(sharedGateUp[l], xb, n, gateUpOuts);
            backend.swiGlu(gate, up, n * c.sharedFeedForwardLength());
            backend.matmul(layer.sharedDown(), gate, n, projected);
        } else {
            Arrays.fill(projected, 0, n * hidden, 0f);
        }
        if (n == 1) {
            decodeExperts(l, k);
            return;
        }
        // Group the chunk's (token, expert) pairs by expert: each chosen expert's weights are read once, for all its rows.
        Arrays.fill(expertCounts, 0);
        for (int i = 0; i < n * k; i++) expertCounts[chosen[i]]++;
        expertStarts[0] = 0;
        for (int e = 0; e < experts; e++) expertStarts[e + 1] = expertStarts[e] + expertCounts[e];
        System.arraycopy(expertStarts, 0, expertFill, 0, experts);
        for (int t = 0; t < n; t++) {
            for (int j = 0; j < k; j++) {
                int slot = expertFill[chosen[t * k + j]]++;
                slotTokens[slot] = t;
                slotWeights[slot] = routeWeights[t * k + j];
            }
        }
        int eff = c.expertFeedForwardLength();
        for (int e = 0; e < experts; e++) {
            int m = expertCounts[e];
            if (m == 0) continue;
            int start = expertStarts[e];
            for (int j = 0; j < m; j++) System.arraycopy(xb, slotTokens[start + j] * hidden, expertIn, j * hidden, hidden);
            backend.matmuls(expertGateUp[l][e], expertIn, m, gateUpOuts);
            backend.swiGlu(gate, up, m * eff);
            backend.matmul(layer.experts().get(e).down(), gate, m, expertOut);
            for (int j = 0; j < m; j++) {
                VectorDot.axpy(slotWeights[start + j], expertOut, j * hidden, projected, slotTokens[start + j] * hidden, hidden);
            }
        }
    }

    /** One token: the gate and up projections of all its experts in one parallel step, then all their down projections in another. */
    private void decodeExperts(int l, int k) {
        var layer = w.layers().get(l);
        for (int j = 0; j < k; j++) {
            var expert = expertGateUp[l][chosen[j]];
            decodeGateUp[2 * j] = expert[0];
            decodeGateUp[2 * j + 1] = expert[1];
            decodeDowns[j] = layer.experts().get(chosen[j]).down();
            decodeDownIns[j] = decodeGateUpOuts[2 * j];
        }
        backend.matmuls(decodeGateUp, xb, 1, decodeGateUpOuts);
        int eff = c.expertFeedForwardLength();
        for (int j = 0; j < k; j++) SwiGlu.apply(decodeGateUpOuts[2 * j], decodeGateUpOuts[2 * j + 1], 0, eff);
        backend.matmulEach(decodeDowns, decodeDownIns, 1, decodeDownOuts);
        for (int j = 0; j < k; j++) VectorDot.axpy(routeWeights[j], decodeDownOuts[j], 0, projected, 0, hidden);
    }

    private void emitLogits(int n) {
        outputHead.emit(x, n, chunks.emitsLogits, chunks.sequences);
    }

    @Override
    public void close() {
        backend.close();
    }
}
