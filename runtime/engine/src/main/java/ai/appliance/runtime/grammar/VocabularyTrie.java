package ai.appliance.runtime.grammar;

import ai.appliance.runtime.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * A model's vocabulary as byte tries, built once per model, for computing which tokens a grammar state allows.
 *
 * <p>Why tries: a mask must look at every token (150k for Qwen2 and DeepSeek), and tokens share prefixes heavily.
 * Walking a trie with the grammar state checks each shared prefix once, and one refused byte prunes every token
 * below it, so in a typical JSON position (after a colon, inside a number) only a few hundred nodes are visited.
 * Nodes are stored in preorder with the index where each subtree ends, so the walk is a loop over arrays with a stack
 * of states by depth, and pruning is one jump.
 *
 * <p>Inside a string almost every token is allowed and the walk would visit the whole trie. There, tokens of plain
 * text (whole UTF-8 characters, no quote, backslash or control character) only advance the string's character
 * count, so they are decided by their length in characters alone: sorted by that length once, a string's mask is
 * those that fit, plus a walk of a second trie holding only the other tokens (those that can end the string or
 * start an escape).
 *
 * <p>Control tokens (special added tokens such as DeepSeek's tool-call markers) stay out of the tries: they are
 * allowed only where the grammar expects their text literally, never as content inside a JSON string. Stop tokens
 * (end of sequence) are allowed exactly where the grammar's value is complete. Unused placeholder entries are never
 * allowed, nor are logits past the tokenizer's vocabulary (models pad their output layer).
 */
public final class VocabularyTrie {
    /** Longer plain tokens are walked like the others (no real token comes near). */
    private static final int MAX_PLAIN_CHARACTERS = 1 << 16;

    private final int logitCount;
    private final byte[][] tokenBytes;
    private final boolean[] stop;
    private final int[] stopIds;
    private final int[] literalIds;
    private final Preorder all;
    private final Preorder notPlain;
    /** Plain-text tokens by ascending length in characters. */
    private final int[] plainIds;
    private final int[] plainCharacters;
    private final long[] allPlain;

    private VocabularyTrie(int logitCount, byte[][] tokenBytes, boolean[] stop, int[] stopIds, int[] literalIds,
                           Preorder all, Preorder notPlain, int[] plainIds, int[] plainCharacters) {
        this.logitCount = logitCount;
        this.tokenBytes = tokenBytes;
        this.stop = stop;
        this.stopIds = stopIds;
        this.literalIds = literalIds;
        this.all = all;
        this.notPlain = notPlain;
        this.plainIds = plainIds;
        this.plainCharacters = plainCharacters;
        this.allPlain = new long[words(logitCount)];
        for (int id : plainIds) allPlain[id >>> 6] |= 1L << id;
    }

    /**
     * @param logitCount the length of the model's logits (at least the tokenizer's vocabulary; may be more)
     * @param stopTokens ids that end generation: allowed only where the grammar's value is complete
     */
    public static VocabularyTrie of(Tokenizer tokenizer, int logitCount, Set<Integer> stopTokens) {
        int vocabulary = Math.min(tokenizer.vocabularySize(), logitCount);
        var bytes = new byte[vocabulary][];
        var stop = new boolean[logitCount];
        var stops = new ArrayList<Integer>();
        var literals = new ArrayList<Integer>();
        var ordinary = new ArrayList<Integer>();
        var notPlain = new ArrayList<Integer>();
        var plain = new ArrayList<int[]>(); // {id, characters}
        var plainProbe = GrammarState.DONE.push(new StringRule(0, MAX_PLAIN_CHARACTERS).body());
        for (int id = 0; id < vocabulary; id++) {
            bytes[id] = tokenizer.tokenBytes(id);
            if (stopTokens.contains(id)) {
                stop[id] = true;
                stops.add(id);
            } else if (bytes[id].length == 0 || tokenizer.isUnused(id)) {
                continue; // never allowed
            } else if (tokenizer.isSpecial(id)) {
                literals.add(id);
            } else {
                ordinary.add(id);
                var after = plainProbe.advance(bytes[id]);
                if (after != null && after.top instanceof StringRule.StringFrame f && f.plainTextRoom() >= 0
                        && !contains(bytes[id], (byte) '\\')) {
                    plain.add(new int[] {id, f.count()});
                } else {
                    notPlain.add(id);
                }
            }
        }
        plain.sort((a, b) -> Integer.compare(a[1], b[1]));
        return new VocabularyTrie(logitCount, bytes, stop, ints(stops), ints(literals), Preorder.of(ordinary, bytes),
                Preorder.of(notPlain, bytes), plain.stream().mapToInt(p -> p[0]).toArray(),
                plain.stream().mapToInt(p -> p[1]).toArray());
    }

    private static boolean contains(byte[] bytes, byte b) {
        for (byte x : bytes) if (x == b) return true;
        return false;
    }

    private static int[] ints(List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int words(int bits) {
        return (bits + 63) / 64;
    }

    /** The length of the masks: one bit per logit. */
    public int logitCount() {
        return logitCount;
    }

    /** The bytes a token stands for. */
    public byte[] bytes(int token) {
        return tokenBytes[token];
    }

    public boolean isStop(int token) {
        return token >= 0 && token < stop.length && stop[token];
    }

    /** Nodes of the trie of all ordinary tokens, and of the trie of those that are not plain text. */
    public String describe() {
        return all.size() + " trie nodes, " + notPlain.size() + " of them for the " + (all.tokenCount() - plainIds.length)
                + " tokens that are not plain text; " + plainIds.length + " plain-text tokens";
    }

    /**
     * The tokens allowed in {@code state}: a bit set over the logits (bit {@code i % 64} of word {@code i / 64}).
     *
     * @throws IllegalStateException when no token can continue (a vocabulary that cannot spell a byte the grammar
     *                               needs)
     */
    public long[] allowed(GrammarState state) {
        var mask = new long[words(logitCount)];
        int room = state.plainTextRoom();
        if (room < 0) {
            all.walk(state, mask);
        } else {
            if (plainCharacters.length > 0 && room >= plainCharacters[plainCharacters.length - 1]) {
                System.arraycopy(allPlain, 0, mask, 0, mask.length);
            } else {
                for (int i = 0; i < plainIds.length && plainCharacters[i] <= room; i++) {
                    mask[plainIds[i] >>> 6] |= 1L << plainIds[i];
                }
            }
            notPlain.walk(state, mask);
        }
        for (int id : literalIds) {
            if (state.advanceLiteral(tokenBytes[id]) != null) mask[id >>> 6] |= 1L << id;
        }
        boolean any = false;
        for (long word : mask) any |= word != 0;
        if (state.isComplete()) {
            for (int id : stopIds) mask[id >>> 6] |= 1L << id;
            any |= stopIds.length > 0;
        }
        if (!any) {
            throw new IllegalStateException("no token of this vocabulary can continue the structured output at " + state
                    + (state.isComplete() ? " (the model has no end-of-sequence token)" : ""));
        }
        return mask;
    }

    /** A set of tokens as one trie in preorder: labels, depths, where each subtree ends, tokens ending at a node. */
    private static final class Preorder {
        private final byte[] label;
        private final int[] depth;
        private final int[] subtreeEnd;
        private final int[] firstToken;
        private final int[] tokenIds;
        private final int maxDepth;

        private Preorder(byte[] label, int[] depth, int[] subtreeEnd, int[] firstToken, int[] tokenIds, int maxDepth) {
            this.label = label;
            this.depth = depth;
            this.subtreeEnd = subtreeEnd;
            this.firstToken = firstToken;
            this.tokenIds = tokenIds;
            this.maxDepth = maxDepth;
        }

        static Preorder of(List<Integer> tokens, byte[][] bytes) {
            var sorted = new ArrayList<>(tokens);
            sorted.sort((a, b) -> Arrays.compareUnsigned(bytes[a], bytes[b]));
            // Each token adds the nodes of its bytes past the prefix it shares with the previous one.
            var labels = new GrowingBytes();
            var depths = new GrowingInts();
            var firstTokens = new GrowingInts();
            var ids = new GrowingInts();
            byte[] previous = new byte[0];
            int maxDepth = 0;
            for (int id : sorted) {
                byte[] b = bytes[id];
                int common = 0;
                while (common < previous.length && common < b.length && previous[common] == b[common]) common++;
                for (int d = common; d < b.length; d++) {
                    labels.add(b[d]);
                    depths.add(d + 1);
                    firstTokens.add(ids.size());
                }
                // Sorted order adds a token right after its node is created (or after an equal token), so the tokens
                // of node i are ids[firstToken[i] .. firstToken[i + 1]).
                ids.add(id);
                maxDepth = Math.max(maxDepth, b.length);
                previous = b;
            }
            int n = labels.size();
            firstTokens.add(ids.size());
            var depth = depths.toArray();
            var subtreeEnd = new int[n];
            var open = new GrowingInts();
            for (int i = 0; i < n; i++) {
                while (open.size() > 0 && depth[open.last()] >= depth[i]) subtreeEnd[open.removeLast()] = i;
                open.add(i);
            }
            while (open.size() > 0) subtreeEnd[open.removeLast()] = n;
            return new Preorder(labels.toArray(), depth, subtreeEnd, firstTokens.toArray(), ids.toArray(), maxDepth);
        }

        int size() {
            return label.length;
        }

        int tokenCount() {
            return tokenIds.length;
        }

        /** Sets the bits of every token of this trie that {@code state} allows. */
        void walk(GrammarState state, long[] mask) {
            var states = new GrammarState[maxDepth + 1];
            states[0] = state;
            int n = label.length;
            int i = 0;
            while (i < n) {
                int d = depth[i];
                var next = states[d - 1].advance(label[i]);
                if (next == null) {
                    i = subtreeEnd[i];
                    continue;
                }
                states[d] = next;
                for (int t = firstToken[i], end = firstToken[i + 1]; t < end; t++) {
                    int id = tokenIds[t];
                    mask[id >>> 6] |= 1L << id;
                }
                i++;
            }
        }
    }

    private static final class GrowingInts {
        private int[] values = new int[1024];
        private int size;

        void add(int v) {
            if (size == values.length) values = Arrays.copyOf(values, size * 2);
            values[size++] = v;
        }

        int size() {
            return size;
        }

        int last() {
            return values[size - 1];
        }

        int removeLast() {
            return values[--size];
        }

        int[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }

    private static final class GrowingBytes {
        private byte[] values = new byte[1024];
        private int size;

        void add(byte v) {
            if (size == values.length) values = Arrays.copyOf(values, size * 2);
            values[size++] = v;
        }

        int size() {
            return size;
        }

        byte[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
