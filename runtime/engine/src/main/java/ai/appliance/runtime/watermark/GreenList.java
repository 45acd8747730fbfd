package ai.appliance.runtime.watermark;

import java.nio.ByteBuffer;
import javax.crypto.Mac;

/**
 * Which tokens are green after a given context, under one key.
 *
 * <p>Each step has a seed: the first 8 bytes of HMAC-SHA256(key, the {@code context} preceding token ids). A token
 * is green when a 64-bit mix of the seed and its id falls in the lowest {@code gamma} share of the range. The test
 * is O(1) per token and needs no permutation of the vocabulary (the paper's implementation shuffles the whole
 * vocabulary per step, which costs milliseconds at 150k tokens); the whole vocabulary costs one pass of a few
 * integer operations per token. The mix is SplitMix64's output function at position {@code id} of the stream
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
        long z = seed + (token + 1L) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    boolean isGreen(long seed, int token) {
        return (hash(seed, token) >>> SHIFT) < threshold;
    }

    /** Adds {@code delta} to the logit of every green token (a -infinity logit, a masked token, stays masked). */
    void bias(long seed, float[] logits, float delta) {
        int deltaBits = Float.floatToRawIntBits(delta);
        for (int token = 0; token < logits.length; token++) {
            // Branch-free: a quarter of the tokens are green at random, which a branch would mispredict.
            long green = ((hash(seed, token) >>> SHIFT) - threshold) >> 63; // all ones when green
            logits[token] += Float.intBitsToFloat(deltaBits & (int) green);
        }
    }
}
