package ai.appliance.runtime.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.appliance.runtime.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;

class StreamingDecoderTest {

    @Test
    void characterSplitAcrossByteTokensIsHeldBackUntilComplete() {
        var tokenizer = Tokenizers.load(Fixtures.model("tiny-qwen2"));
        String text = "emoji 🚀🔥 and ✓ 中文分词";
        int[] ids = tokenizer.encode(text);
        var decoder = tokenizer.newStreamingDecoder();
        var pieces = new ArrayList<String>();
        for (int id : ids) pieces.add(decoder.push(id));
        pieces.add(decoder.flush());
        for (var p : pieces) assertFalse(p.contains("\uFFFD"), "partial character printed: " + pieces);
        assertEquals(text, String.join("", pieces));
        // at least one token carried an incomplete character, so some push returned nothing
        assertEquals(true, pieces.subList(0, ids.length).contains(""), "the fixture should split a character: " + pieces);
    }

    @Test
    void bytesThatNeverCompleteACharacterBecomeReplacementCharacters() {
        byte[][] tokens = {"a".getBytes(StandardCharsets.UTF_8), {(byte) 0xE4, (byte) 0xB8}, "b".getBytes(StandardCharsets.UTF_8), {(byte) 0xF0}};
        var decoder = new StreamingDecoder(id -> tokens[id], false);
        assertEquals("a", decoder.push(0));
        assertEquals("", decoder.push(1));
        assertEquals("\uFFFDb", decoder.push(2)); // 'b' proves E4 B8 will never complete
        assertEquals("", decoder.push(3));
        assertEquals("\uFFFD", decoder.flush());
    }

    @Test
    void sentencePieceDecodingDropsTheSpacePrefixOnlyAtTheStart() {
        var tokenizer = Tokenizers.load(Fixtures.path("vocab/ggml-vocab-llama-spm.gguf"));
        int[] ids = tokenizer.encode("Hello world");
        assertEquals("Hello world", tokenizer.decode(ids));
        var decoder = tokenizer.newStreamingDecoder();
        var out = new StringBuilder();
        for (int id : ids) out.append(decoder.push(id));
        assertEquals("Hello world", out.append(decoder.flush()).toString());
    }

    @Test
    void specialTokensCanBeLeftOutOfUserVisibleText() {
        var tokenizer = Tokenizers.load(Fixtures.model("tiny-llama3"));
        int[] ids = tokenizer.encode("<｜begin▁of▁sentence｜><｜User｜>hi<think>x</think><｜end▁of▁sentence｜>");
        assertEquals("hi<think>x</think>", tokenizer.decodeSkippingSpecial(ids));
        assertEquals("<｜begin▁of▁sentence｜><｜User｜>hi<think>x</think><｜end▁of▁sentence｜>", tokenizer.decode(ids));
    }

    @Test
    void idsOutsideTheVocabularyAreRejectedWithTheRange() {
        var tokenizer = Tokenizers.load(Fixtures.model("tiny-qwen2"));
        var e = assertThrows(IllegalArgumentException.class, () -> tokenizer.decode(new int[]{tokenizer.vocabularySize()}));
        assertEquals(true, e.getMessage().contains("outside the vocabulary"), e.getMessage());
    }
}
