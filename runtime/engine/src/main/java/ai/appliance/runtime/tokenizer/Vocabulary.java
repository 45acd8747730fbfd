package ai.appliance.runtime.tokenizer;

import java.util.HashMap;
import java.util.Map;

/** Token texts as stored by the model files, with their kinds and (SentencePiece) scores. Immutable. */
final class Vocabulary {
    private final String[] texts;
    private final TokenKind[] kinds;
    private final float[] scores;
    private final Map<String, Integer> ids;

    Vocabulary(String[] texts, TokenKind[] kinds, float[] scores) {
        this.texts = texts;
        this.kinds = kinds;
        this.scores = scores;
        this.ids = new HashMap<>(texts.length * 2);
        // a text stored twice resolves to its last id, as llama.cpp's token_to_id does
        for (int i = 0; i < texts.length; i++) {
            if (texts[i] != null) ids.put(texts[i], i);
        }
    }

    int size() {
        return texts.length;
    }

    String text(int id) {
        return texts[id];
    }

    TokenKind kind(int id) {
        return kinds[id];
    }

    float score(int id) {
        return scores == null ? 0f : scores[id];
    }

    /** The id of a stored text, or -1. */
    int id(String text) {
        Integer id = ids.get(text);
        return id == null ? -1 : id;
    }
}
