package ai.appliance.runtime.watermark;

import java.nio.ByteBuffer;
import javax.crypto.Mac;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Which tokens are green after a given context, under one key.
 *
 * <p>Each step has a seed: the first 8 bytes of HMAC-SHA256(key, the {@code context} preceding token ids). A token
 * is green when a 64-bit mix of the seed and its id falls in the lowest {@code gamma} share of the range. The test
 * is O(1) per token and needs no permutation of the vocabulary (the paper's implementation shuffles the whole
 * vocabulary per step, which costs milliseconds at 150k tokens); the whole vocabulary costs one pass of a few
 * integer operations per token, on 8-lane vectors where the CPU has them. The mix is SplitMix64's output function at position {@code id} of the stream
 * {@code seed}: statistically uniform and independent across ids, though not a cryptographic function of the seed.
 * That is enough here because the seed itself is secret (HMAC of the key) and differs per context, and a step's
 * green list is what an observer can at best estimate from marked text anyway.
 *
 * <p>One instance serves one thread (it holds a {@link Mac}).
 */
final class GreenList {
    /** Hashes are compared on their top 53 bits, so that gamma maps to a threshold exactly enough and sign-free. */
    private static final int SHIFT = 11;
    private static final double RANGE = 0x1p53;
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final long MIX1 = 0xBF58476D1CE4E5B9L;
    private static final long MIX2 = 0x94D049BB133111EBL;

    private static final VectorSpecies<Long> LONGS = LongVector.SPECIES_PREFERRED;
    /** As many floats as {@link #LONGS} has longs, so that one lane mask serves both. */
    private static final VectorSpecies<Float> FLOATS =
            VectorSpecies.of(float.class, VectorShape.forBitSize(LONGS.vectorBitSize() / 2));
    /**
     * The whole-vocabulary pass runs on vectors of at least 4 longs: with AVX-512's 8 lanes it is several times faster
     * than the scalar loop, and even AVX2, which has no 64-bit multiply and emulates it, gains a little
     * (docs/benchmarks.md, WatermarkBenchmark). Narrower vectors use the scalar loop.
     */
    static final boolean VECTORS = LONGS.length() >= 4;

    private final Mac mac;
    private final int context;
    private final long threshold;
    private final ByteBuffer ids;

    GreenList(WatermarkKey key, double gamma, int context) {
        this.mac = key.newMac();
        this.context = context;
        this.threshold = (long) Math.floor(gamma * RANGE);
        this.ids = ByteBuffer.allocate(4 * context);
    }

    /** Preceding tokens each seed depends on. */
    int context() {
        return context;
    }

    /** The seed of the step after {@code tokens[end - context .. end)}; {@code end} must be at least the context. */
    long seed(int[] tokens, int end) {
        ids.clear();
        for (int i = end - context; i < end; i++) ids.putInt(tokens[i]);
        byte[] digest = mac.doFinal(ids.array());
        return ByteBuffer.wrap(digest).getLong();
    }

    /** SplitMix64's value number {@code token + 1} of the stream that starts at {@code seed}. */
    static long hash(long seed, int token) {
        long z = seed + (token + 1L) * GOLDEN;
        z = (z ^ (z >>> 30)) * MIX1;
        z = (z ^ (z >>> 27)) * MIX2;
        return z ^ (z >>> 31);
    }

    boolean isGreen(long seed, int token) {
        return (hash(seed, token) >>> SHIFT) < threshold;
    }

    /** Adds {@code delta} to the logit of every green token (a -infinity logit, a masked token, stays masked). */
    void bias(long seed, float[] logits, float delta) {
        int token = 0;
        if (VECTORS) {
            var seeds = LongVector.broadcast(LONGS, seed);
            var ids = LongVector.zero(LONGS).addIndex(1).add(1); // token + 1 for tokens 0, 1, ...
            var step = LongVector.broadcast(LONGS, LONGS.length());
            for (int end = FLOATS.loopBound(logits.length); token < end; token += LONGS.length()) {
                var z = ids.mul(GOLDEN).add(seeds);
                z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30)).mul(MIX1);
                z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 27)).mul(MIX2);
                z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 31));
                var green = z.lanewise(VectorOperators.LSHR, SHIFT).compare(VectorOperators.LT, threshold).cast(FLOATS);
                FloatVector.fromArray(FLOATS, logits, token).add(delta, green).intoArray(logits, token);
                ids = ids.add(step);
            }
        }
        int deltaBits = Float.floatToRawIntBits(delta);
        for (; token < logits.length; token++) {
            // Branch-free: a quarter of the tokens are green at random, which a branch would mispredict.
            long green = ((hash(seed, token) >>> SHIFT) - threshold) >> 63; // all ones when green
            logits[token] += Float.intBitsToFloat(deltaBits & (int) green);
        }
    }
}
