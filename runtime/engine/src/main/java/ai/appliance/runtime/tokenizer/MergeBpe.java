package ai.appliance.runtime.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * BPE by merge rank (GPT-2, Qwen2, Llama-3, DeepSeek; HF {@code BPE} models): a word starts as one symbol per
 * character; the adjacent pair with the lowest merge rank (leftmost on ties) merges until no pair has a rank.
 * Same algorithm as HF tokenizers' {@code Word::merge_all} and llama.cpp's {@code llm_tokenizer_bpe}.
 */
final class MergeBpe implements WordModel {
    private static final int CACHE_LIMIT = 100_000;
    private static final int CACHED_WORD_LIMIT = 256;

    private final Vocabulary vocab;
    /** (leftId << 32 | rightId) → (rank << 32 | mergedId). */
    private final Map<Long, Long> merges;
    private final boolean ignoreMerges;
    private final boolean byteFallback;
    private final int unkId;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * @param mergePairs   merges in rank order, each as its two texts
     * @param ignoreMerges a word that is itself a token is emitted whole (Llama-3)
     * @param byteFallback characters missing from the vocabulary become {@code <0xXX>} byte tokens
     * @param unkId        id for characters that cannot be encoded otherwise, -1 to drop them
     */
    MergeBpe(Vocabulary vocab, List<String[]> mergePairs, boolean ignoreMerges, boolean byteFallback, int unkId) {
        this.vocab = vocab;
        this.ignoreMerges = ignoreMerges;
        this.byteFallback = byteFallback;
        this.unkId = unkId;
        this.merges = new HashMap<>(mergePairs.size() * 2);
        for (int rank = 0; rank < mergePairs.size(); rank++) {
            var pair = mergePairs.get(rank);
            int left = vocab.id(pair[0]);
            int right = vocab.id(pair[1]);
            int merged = vocab.id(pair[0] + pair[1]);
            if (left < 0 || right < 0 || merged < 0) continue; // a merge the vocabulary cannot express
            merges.putIfAbsent(key(left, right), ((long) rank << 32) | merged);
        }
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    @Override
    public void encode(String word, IntList out) {
        if (word.length() > CACHED_WORD_LIMIT) { // rare and would pin memory: not worth caching
            out.addAll(encodeUncached(word));
            return;
        }
        var cached = cache.get(word);
        if (cached == null) {
            cached = encodeUncached(word);
            if (cache.size() >= CACHE_LIMIT) cache.clear();
            cache.put(word, cached);
        }
        out.addAll(cached);
    }

    private int[] encodeUncached(String word) {
        if (ignoreMerges) {
            int whole = vocab.id(word);
            if (whole >= 0) return new int[]{whole};
        }
        var symbols = new IntList();
        for (int i = 0; i < word.length(); ) {
            int cp = word.codePointAt(i);
            int n = Character.charCount(cp);
            String ch = word.substring(i, i + n);
            i += n;
            int id = vocab.id(ch);
            if (id >= 0) {
                symbols.add(id);
            } else if (byteFallback) {
                for (byte b : ch.getBytes(StandardCharsets.UTF_8)) {
                    int byteId = vocab.id(String.format("<0x%02X>", b & 0xFF));
                    if (byteId >= 0) symbols.add(byteId);
                    else if (unkId >= 0) symbols.add(unkId);
                }
            } else if (unkId >= 0) {
                symbols.add(unkId);
            }
        }
        return merge(symbols.toArray());
    }

    private int[] merge(int[] ids) {
        int n = ids.length;
        if (n < 2) return ids;
        int[] next = new int[n];
        int[] prev = new int[n];
        boolean[] gone = new boolean[n];
        for (int i = 0; i < n; i++) {
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
        }
        // queue entries: rank << 32 | position; the smallest rank first, then the leftmost position
        var queue = new PriorityQueue<Long>();
        for (int i = 0; i + 1 < n; i++) offer(queue, ids, i, i + 1);
        while (!queue.isEmpty()) {
            long top = queue.poll();
            int pos = (int) top;
            int rank = (int) (top >>> 32);
            if (gone[pos] || next[pos] < 0) continue;
            int right = next[pos];
            Long merge = merges.get(key(ids[pos], ids[right]));
            if (merge == null || (int) (merge >>> 32) != rank) continue; // stale: a neighbour changed
            ids[pos] = (int) (long) merge;
            gone[right] = true;
            next[pos] = next[right];
            if (next[right] >= 0) prev[next[right]] = pos;
            if (prev[pos] >= 0) offer(queue, ids, prev[pos], pos);
            if (next[pos] >= 0) offer(queue, ids, pos, next[pos]);
        }
        var out = new IntList();
        for (int i = 0; i >= 0; i = next[i]) out.add(ids[i]);
        return out.toArray();
    }

    private void offer(PriorityQueue<Long> queue, int[] ids, int left, int right) {
        Long merge = merges.get(key(ids[left], ids[right]));
        if (merge != null) queue.add((merge & 0xFFFFFFFF00000000L) | left);
    }
}
