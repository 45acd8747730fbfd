package ai.appliance.runtime.scheduler;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The chained digests of a prompt's full blocks: block i's digest is SHA-256 of block i−1's digest and block i's
 * tokens, so it stands for all tokens from position 0 to the end of block i. A cryptographic hash, because two
 * different prefixes sharing a key would hand one request another prompt's cache.
 *
 * @param blockTokens tokens per block
 * @param digests     one per full block of the prompt, 32 bytes each
 */
record PrefixChain(int blockTokens, byte[][] digests) {

    static PrefixChain of(int[] prompt, int blockTokens) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        var digests = new byte[prompt.length / blockTokens][];
        var tokens = ByteBuffer.allocate(blockTokens * Integer.BYTES);
        byte[] previous = new byte[0];
        for (int block = 0; block < digests.length; block++) {
            tokens.clear();
            for (int i = 0; i < blockTokens; i++) tokens.putInt(prompt[block * blockTokens + i]);
            sha.update(previous);
            sha.update(tokens.array());
            previous = sha.digest();
            digests[block] = previous;
        }
        return new PrefixChain(blockTokens, digests);
    }

    int blocks() {
        return digests.length;
    }

    PrefixBlockKey key(long scope, int block) {
        var d = ByteBuffer.wrap(digests[block]);
        return new PrefixBlockKey(scope, d.getLong(), d.getLong(), d.getLong(), d.getLong());
    }
}
