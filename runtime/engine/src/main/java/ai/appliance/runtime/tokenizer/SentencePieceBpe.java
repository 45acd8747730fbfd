package ai.appliance.runtime.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.PriorityQueue;

/**
 * SentencePiece BPE by scores (Llama-2 style GGUF vocabularies, {@code tokenizer.ggml.model = llama}): start
 * from characters, repeatedly merge the adjacent pair whose concatenation is the highest-scoring token
 * (leftmost on ties); pieces left outside the vocabulary fall back to {@code <0xXX>} byte tokens. Mirrors
 * llama.cpp's {@code llm_tokenizer_spm}, which reproduces the reference tokenizer.
 */
final class SentencePieceBpe implements WordModel {
    private final Vocabulary vocab;
    private final int unkId;
    private final int[] byteIds = new int[256];

    SentencePieceBpe(Vocabulary vocab, int unkId) {
        this.vocab = vocab;
        this.unkId = unkId;
        for (int b = 0; b < 256; b++) byteIds[b] = vocab.id(String.format("<0x%02X>", b));
    }

    private record Bigram(int left, int right, float score, int length) {
    }

    @Override
    public void encode(String text, IntList out) {
        // symbols are code points; start/length index into text (UTF-16 units)
        int count = text.codePointCount(0, text.length());
        int[] start = new int[count];
        int[] len = new int[count];
        int[] prev = new int[count];
        int[] next = new int[count];
        for (int i = 0, pos = 0; i < count; i++) {
            int n = Character.charCount(text.codePointAt(pos));
            start[i] = pos;
            len[i] = n;
            prev[i] = i - 1;
            next[i] = i + 1 < count ? i + 1 : -1;
            pos += n;
        }
        var queue = new PriorityQueue<Bigram>((a, b) -> a.score != b.score
                ? Float.compare(b.score, a.score) : Integer.compare(a.left, b.left));
        for (int i = 1; i < count; i++) tryAdd(text, start, len, i - 1, i, queue);
        while (!queue.isEmpty()) {
            var bigram = queue.poll();
            int l = bigram.left, r = bigram.right;
            if (len[l] == 0 || len[r] == 0 || len[l] + len[r] != bigram.length) continue;
            len[l] += len[r];
            len[r] = 0;
            next[l] = next[r];
            if (next[r] >= 0) prev[next[r]] = l;
            if (prev[l] >= 0) tryAdd(text, start, len, prev[l], l, queue);
            if (next[l] >= 0) tryAdd(text, start, len, l, next[l], queue);
        }
        for (int i = count == 0 ? -1 : 0; i >= 0; i = next[i]) {
            resegment(text.substring(start[i], start[i] + len[i]), out);
        }
    }

    private void tryAdd(String text, int[] start, int[] len, int left, int right,
                        PriorityQueue<Bigram> queue) {
        String s = text.substring(start[left], start[right] + len[right]);
        int id = vocab.id(s);
        if (id < 0) return;
        queue.add(new Bigram(left, right, vocab.score(id), len[left] + len[right]));
    }

    // merged symbols are always tokens (a pair merges only when its text is one), so only single characters
    // can be missing here
    private void resegment(String symbol, IntList out) {
        int id = vocab.id(symbol);
        if (id >= 0) {
            out.add(id);
            return;
        }
        for (byte b : symbol.getBytes(StandardCharsets.UTF_8)) {
            int byteId = byteIds[b & 0xFF];
            if (byteId >= 0) out.add(byteId);
            else if (unkId >= 0) out.add(unkId);
        }
    }
}
