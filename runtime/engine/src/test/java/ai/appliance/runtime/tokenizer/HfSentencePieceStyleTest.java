package ai.appliance.runtime.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Llama-2-style tokenizer.json (Metaspace, byte fallback, ▁ decoding) built by hand, checked piece by piece. */
class HfSentencePieceStyleTest {
    private static final String TOKENIZER = """
            {"added_tokens": [{"id": 0, "content": "<s>", "special": true}],
             "normalizer": null,
             "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "%s", "split": false},
             "decoder": {"type": "Sequence", "decoders": [
                {"type": "Replace", "pattern": {"String": "▁"}, "content": " "},
                {"type": "ByteFallback"}, {"type": "Fuse"},
                {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
             "model": {"type": "BPE", "byte_fallback": true, "unk_token": null,
               "vocab": {"<s>": 0, "<0x0A>": 1, "▁": 2, "H": 3, "i": 4, "▁H": 5, "▁Hi": 6, "!": 7},
               "merges": [["▁", "H"], "▁H i"]}}
            """;

    private static Tokenizer load(Path dir, String scheme) throws Exception {
        Files.writeString(dir.resolve("tokenizer.json"), TOKENIZER.formatted(scheme));
        return Tokenizers.load(dir);
    }

    @Test
    void metaspacePrefixMergesAndByteFallback(@TempDir Path dir) throws Exception {
        var t = load(dir, "always");
        // "▁Hi" by the two merges (both merge notations), "\n" is not a token: its byte <0x0A>
        assertArrayEquals(new int[]{6, 7, 1}, t.encode("Hi!\n"));
        assertEquals("Hi!\n", t.decode(new int[]{6, 7, 1}), "leading ▁ is stripped once, bytes are decoded");
        assertArrayEquals(new int[]{0, 6}, t.encode("<s>Hi"), "always: a prefix after the special token too");
    }

    @Test
    void prependSchemeFirstOnlyPrefixesTheStartOfTheInput(@TempDir Path dir) throws Exception {
        var t = load(dir, "first");
        assertArrayEquals(new int[]{6}, t.encode("Hi"));
        assertArrayEquals(new int[]{0, 3, 4}, t.encode("<s>Hi"));
    }
}
