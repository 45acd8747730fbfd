package ai.appliance.runtime.tokenizer;

import java.text.Normalizer;
import java.util.List;

/** Rewrites one run of ordinary text (between added tokens) before pre-tokenization. */
@FunctionalInterface
interface SegmentNormalizer {

    /**
     * @param atStartOrAfterToken the run begins the input or follows an added token (SentencePiece adds its
     *                            space prefix only there)
     */
    String apply(String text, boolean atStartOrAfterToken);

    SegmentNormalizer IDENTITY = (text, first) -> text;
    SegmentNormalizer NFC = (text, first) -> Normalizer.normalize(text, Normalizer.Form.NFC);
    SegmentNormalizer NFKC = (text, first) -> Normalizer.normalize(text, Normalizer.Form.NFKC);
    SegmentNormalizer NFD = (text, first) -> Normalizer.normalize(text, Normalizer.Form.NFD);
    SegmentNormalizer NFKD = (text, first) -> Normalizer.normalize(text, Normalizer.Form.NFKD);

    static SegmentNormalizer replace(String pattern, String content) {
        return (text, first) -> text.replace(pattern, content);
    }

    static SegmentNormalizer prepend(String prefix) {
        return (text, first) -> text.isEmpty() ? text : prefix + text;
    }

    /** llama.cpp's SentencePiece preparation: optional space prefix, then spaces become {@code ▁}. */
    static SegmentNormalizer sentencePiece(boolean addSpacePrefix) {
        return (text, first) -> ((addSpacePrefix && first ? " " : "") + text).replace(' ', '\u2581');
    }

    static SegmentNormalizer sequence(List<SegmentNormalizer> steps) {
        return (text, first) -> {
            for (var s : steps) text = s.apply(text, first);
            return text;
        };
    }
}
