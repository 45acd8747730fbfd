package ai.appliance.runtime.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.model.ModelFormatException;
import ai.appliance.runtime.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerBehaviourTest {

    @Test
    void specialTokensAndMetadataComeFromTheCheckpoint() {
        for (var source : List.of(Fixtures.model("tiny-qwen2"), Fixtures.model("tiny-qwen2").resolve("tiny-qwen2-f32.gguf"))) {
            var t = Tokenizers.load(source);
            assertEquals(1207, t.vocabularySize(), source.toString());
            assertEquals(1201, t.bosId(), source.toString());
            assertEquals(1200, t.eosId(), source.toString());
            assertEquals("<｜begin▁of▁sentence｜>", t.tokenText(t.bosId()));
            assertTrue(t.isSpecial(1203), "<｜User｜> is special in " + source);
            assertFalse(t.isSpecial(1205), "<think> is an ordinary added token in " + source);
            assertEquals(1205, t.tokenId("<think>"));
            assertEquals(java.util.Set.of(1200), t.endOfGenerationIds(), source.toString());
        }
    }

    @Test
    void generationConfigEosListAddsEndOfGenerationIds(@TempDir Path dir) throws Exception {
        var source = Fixtures.model("tiny-qwen2");
        Files.copy(source.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        Files.copy(source.resolve("tokenizer_config.json"), dir.resolve("tokenizer_config.json"));
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": [1200, 1203]}");
        assertEquals(java.util.Set.of(1200, 1203), Tokenizers.load(dir).endOfGenerationIds());
    }

    @Test
    void untrustedTextCannotInjectControlTokensButThinkTagsStillMap() {
        var t = Tokenizers.load(Fixtures.model("tiny-qwen2"));
        int[] parsed = t.encode("<｜User｜>x<think>");
        assertEquals(1203, parsed[0]);
        int[] literal = t.encode("<｜User｜>x<think>", false);
        assertTrue(literal.length > 3, "control token text must be spelled out");
        for (int id : literal) assertFalse(t.isSpecial(id));
        assertEquals(1205, literal[literal.length - 1]);
        assertEquals("<｜User｜>x<think>", t.decode(literal));
    }

    @Test
    void javaRegexMatchesUnicodeWhitespaceAndLettersLikeOniguruma() {
        var qwen = PreTokenizerPresets.forName("qwen2");
        var split = new PreTokenizer.RegexSplit(PreTokenizer.compile(qwen.regexes().getFirst()), PreTokenizer.Behavior.ISOLATED);
        // U+3000 and U+00A0 are \s for Oniguruma (HF) and llama.cpp, not for Java without UNICODE_CHARACTER_CLASS:
        // "\s+(?!\S)" takes all but the last space before a word, which joins the word
        assertEquals(List.of("x", "\u3000", "\u3000y"), split.split("x\u3000\u3000y"));
        assertEquals(List.of("x", "\u00a0", "\u00a0y"), split.split("x\u00a0\u00a0y"));
        // letters outside the BMP are \p{L}; digits one by one
        assertEquals(List.of("𝐀𝐁", "1", "2"), split.split("𝐀𝐁12"));
        // contractions match case-insensitively
        assertEquals(List.of("IT", "'S"), split.split("IT'S"));
    }

    @Test
    void missingTokenizerJsonNamesTheFile(@TempDir Path dir) {
        var e = assertThrows(ModelFormatException.class, () -> Tokenizers.load(dir));
        assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
    }

    @Test
    void malformedTokenizerJsonNamesTheFile(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"type\": \"Unigram\", \"vocab\": []}}");
        var e = assertThrows(ModelFormatException.class, () -> Tokenizers.load(dir));
        assertTrue(e.getMessage().contains(dir.resolve("tokenizer.json").toString()) && e.getMessage().contains("Unigram"), e.getMessage());
        Files.writeString(dir.resolve("tokenizer.json"), "{not json");
        assertThrows(ModelFormatException.class, () -> Tokenizers.load(dir));
    }

    @Test
    void ggufWithUnknownPreTokenizerIsRefusedNotGuessed() {
        Map<String, Object> metadata = new HashMap<>();
        metadata.put("tokenizer.ggml.model", "gpt2");
        metadata.put("tokenizer.ggml.pre", "some-future-model");
        metadata.put("tokenizer.ggml.tokens", List.of("a", "b", "ab"));
        metadata.put("tokenizer.ggml.merges", List.of("a b"));
        var e = assertThrows(TokenizerException.class, () -> GgufVocabulary.fromMetadata(metadata));
        assertTrue(e.getMessage().contains("some-future-model"), e.getMessage());
        metadata.put("tokenizer.ggml.pre", "gpt-2");
        assertArrayEquals(new int[]{2, 0}, GgufVocabulary.fromMetadata(metadata).encode("aba"));
    }

    @Test
    void everyKnownPreTokenizerNameCompilesInJava() {
        for (var name : List.of("default", "llama-bpe", "llama3", "qwen2", "deepseek-r1-qwen", "deepseek-llm", "deepseek-coder",
                "deepseek-v3", "gpt-2", "starcoder", "falcon", "tekken", "gpt-4o", "bloom", "viking", "chatglm-bpe")) {
            for (var regex : PreTokenizerPresets.forName(name).regexes()) {
                var split = new PreTokenizer.RegexSplit(PreTokenizer.compile(regex), PreTokenizer.Behavior.ISOLATED);
                String text = "Hello, y'all! 3.14159 中文 ÀÉ\u3000x\n\n  end  ";
                assertEquals(text, String.join("", split.split(text)), name + " must only split, never drop: " + regex);
            }
        }
    }

    @Test
    void ggufWithoutVocabularyIsReported() {
        var e = assertThrows(TokenizerException.class, () -> GgufVocabulary.fromMetadata(Map.of()));
        assertTrue(e.getMessage().contains("tokenizer.ggml.model"), e.getMessage());
    }
}
