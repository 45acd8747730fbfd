package ai.appliance.runtime.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Splits normalized text into the pieces that BPE encodes independently. A pre-tokenizer is a sequence of
 * steps; each step splits every piece the previous one produced.
 */
sealed interface PreTokenizer {

    List<String> split(String piece);

    /** Splits the first piece of a run of text; only {@link Metaspace} cares whether the run starts the input. */
    default List<String> splitFirst(String piece, boolean atInputStart) {
        return split(piece);
    }

    /** Applies {@code steps} in order, each to every piece; {@code atInputStart}: the text begins the input. */
    static List<String> apply(List<PreTokenizer> steps, String text, boolean atInputStart) {
        List<String> pieces = List.of(text);
        for (var step : steps) {
            var next = new ArrayList<String>();
            for (int i = 0; i < pieces.size(); i++) {
                next.addAll(i == 0 ? step.splitFirst(pieces.get(i), atInputStart) : step.split(pieces.get(i)));
            }
            pieces = next;
        }
        return pieces;
    }

    /** What happens to the text a regex matches: HF {@code SplitDelimiterBehavior}. */
    enum Behavior { ISOLATED, REMOVED, MERGED_WITH_PREVIOUS, MERGED_WITH_NEXT }

    /**
     * Compiles a regex written for Oniguruma (HF tokenizers) or C++ (llama.cpp) so that it means the same in
     * Java: {@code \s \d \w} and case-insensitive groups must be Unicode-aware there, so the pattern is compiled
     * with {@link Pattern#UNICODE_CHARACTER_CLASS}.
     */
    static Pattern compile(String regex) {
        var javaRegex = regex.replace("\\p{Han}", "\\p{IsHan}");
        // "\s+$" (DeepSeek LLM) retried at every offset of a long space run is quadratic; a match can only start
        // where a run starts, so saying so keeps it linear without changing what it matches
        if (javaRegex.equals("\\s+$")) javaRegex = "(?<!\\s)\\s+$";
        try {
            return Pattern.compile(javaRegex, Pattern.UNICODE_CHARACTER_CLASS);
        } catch (PatternSyntaxException e) {
            throw new TokenizerException("pre-tokenizer regex cannot be compiled: " + e.getDescription()
                    + " in " + regex);
        }
    }

    /** HF {@code Split} (and llama.cpp's regex lists, which all behave as {@code Isolated}). */
    record RegexSplit(Pattern pattern, Behavior behavior) implements PreTokenizer {
        @Override
        public List<String> split(String piece) {
            var out = new ArrayList<String>();
            Matcher m = pattern.matcher(piece);
            int last = 0;
            String carry = null; // a match waiting to be merged into the next piece
            while (m.find()) {
                if (m.end() == m.start()) continue;
                String gap = piece.substring(last, m.start());
                String match = m.group();
                switch (behavior) {
                    case ISOLATED -> {
                        addNonEmpty(out, gap);
                        out.add(match);
                    }
                    case REMOVED -> addNonEmpty(out, gap);
                    case MERGED_WITH_PREVIOUS -> out.add(gap + match);
                    case MERGED_WITH_NEXT -> {
                        if (carry != null) gap = carry + gap;
                        addNonEmpty(out, gap);
                        carry = match;
                    }
                }
                last = m.end();
            }
            String tail = piece.substring(last);
            if (carry != null) tail = carry + tail;
            addNonEmpty(out, tail);
            return out;
        }

        private static void addNonEmpty(List<String> out, String s) {
            if (!s.isEmpty()) out.add(s);
        }
    }

    /** GPT-2 byte-level: optionally split with GPT-2's regex, then map each piece's bytes to characters. */
    record ByteLevelStep(boolean addPrefixSpace, Pattern gpt2Regex) implements PreTokenizer {
        static final String GPT2_REGEX =
                "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

        @Override
        public List<String> split(String piece) {
            if (addPrefixSpace && !piece.startsWith(" ")) piece = " " + piece;
            var pieces = gpt2Regex == null ? List.of(piece)
                    : new RegexSplit(gpt2Regex, Behavior.ISOLATED).split(piece);
            var out = new ArrayList<String>(pieces.size());
            for (var p : pieces) out.add(ByteLevel.encode(p));
            return out;
        }
    }

    /** When {@link Metaspace} adds its {@code ▁} prefix: HF {@code prepend_scheme}. */
    enum PrependScheme { ALWAYS, FIRST, NEVER }

    /**
     * SentencePiece-style spaces: ' ' becomes {@code ▁}; a {@code ▁} prefix on every run of text ({@code always})
     * or only on the one that begins the input ({@code first}); optionally split before each {@code ▁}.
     */
    record Metaspace(PrependScheme scheme, boolean splitOnSpace) implements PreTokenizer {
        @Override
        public List<String> split(String piece) {
            return split(piece, false);
        }

        @Override
        public List<String> splitFirst(String piece, boolean atInputStart) {
            return split(piece, atInputStart);
        }

        private List<String> split(String piece, boolean atInputStart) {
            var s = piece.replace(' ', '\u2581');
            boolean prepend = scheme == PrependScheme.ALWAYS || (scheme == PrependScheme.FIRST && atInputStart);
            if (prepend && !s.startsWith("\u2581")) s = "\u2581" + s;
            if (!splitOnSpace) return List.of(s);
            var out = new ArrayList<String>();
            int start = 0;
            for (int i = 1; i < s.length(); i++) {
                if (s.charAt(i) == '\u2581') {
                    out.add(s.substring(start, i));
                    start = i;
                }
            }
            if (start < s.length()) out.add(s.substring(start));
            return out;
        }
    }
}
