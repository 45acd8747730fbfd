package ai.appliance.runtime.synth;

import ai.appliance.runtime.quantize.HfTokenizerMetadata;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * A loadable byte-level BPE vocabulary of exactly the model's size: the 256 GPT-2 byte tokens, merges
 * that build a few hundred common English words (with and without a leading space), unreachable filler
 * up to the special tokens, the model's special tokens at their real ids (also inside the regular range, where
 * the regular tokens take the ids around them), and llama.cpp-style
 * {@code [PAD<id>]} entries after them.
 */
public record SyntheticVocabulary(List<String> tokens, int[] types, List<String> merges) {

    private static final String[] WORDS = ("the of and to in is you that it he was for on are as with his they at be this have from "
            + "or one had by word but not what all were we when your can said there use an each which she do how their if will up "
            + "other about out many then them these so some her would make like him into time has look two more write go see number "
            + "no way could people my than first water been call who oil its now find long down day did get come made may part "
            + "hello world model token answer question think reason step because therefore result value sensor machine "
            + "temperature pressure patient doctor factory line error status report system device network data check ok "
            + "yes please thank help need know want good new work just also after before only very well where why over").split(" ");

    public static SyntheticVocabulary build(SyntheticModelSpec spec) {
        int size = spec.config().vocabularySize();
        var regular = new ArrayList<String>();
        var seen = new HashSet<String>();
        var byteChars = byteToUnicode();
        for (int b : byteOrder()) {
            var t = String.valueOf(byteChars[b]);
            regular.add(t);
            seen.add(t);
        }
        var merges = new LinkedHashSet<String>();
        for (var word : WORDS) {
            for (var form : new String[] {word, " " + word}) {
                var chars = new ArrayList<String>();
                for (byte b : form.getBytes(java.nio.charset.StandardCharsets.UTF_8)) chars.add(String.valueOf(byteChars[b & 0xFF]));
                var current = chars.getFirst();
                for (int i = 1; i < chars.size(); i++) {
                    var merged = current + chars.get(i);
                    if (seen.add(merged)) {
                        merges.add(current + " " + chars.get(i));
                        regular.add(merged);
                    }
                    current = merged;
                }
            }
        }
        // Special tokens may sit inside the regular range (DeepSeek-V3: BOS 0, EOS 1); regular tokens take the ids around them.
        long specialsBelow = spec.specialTokens().keySet().stream().filter(id -> id < spec.regularVocabulary()).count();
        if (regular.size() + specialsBelow > spec.regularVocabulary()) throw new IllegalStateException("vocabulary overflow");
        var tokens = new ArrayList<String>(size);
        var types = new int[size];
        int next = 0;
        for (int id = 0; id < size; id++) {
            var special = spec.specialTokens().get(id);
            if (special != null) {
                boolean control = !spec.nonSpecial().contains(special) || HfTokenizerMetadata.looksSpecialToken(special);
                types[id] = control ? HfTokenizerMetadata.CONTROL : HfTokenizerMetadata.USER_DEFINED;
                tokens.add(special);
            } else if (id < spec.regularVocabulary() && next < regular.size()) {
                types[id] = HfTokenizerMetadata.NORMAL;
                tokens.add(regular.get(next++));
            } else {
                types[id] = HfTokenizerMetadata.UNUSED;
                tokens.add("[PAD" + id + "]");
            }
        }
        return new SyntheticVocabulary(List.copyOf(tokens), types, List.copyOf(merges));
    }

    /** GPT-2's byte → printable character table. */
    static char[] byteToUnicode() {
        var map = new char[256];
        int n = 0;
        for (int b = 0; b < 256; b++) {
            if (isPrintable(b)) {
                map[b] = (char) b;
            } else {
                map[b] = (char) (256 + n++);
            }
        }
        return map;
    }

    /** Byte tokens take ids in GPT-2's order: printable bytes first, then the others. */
    static int[] byteOrder() {
        var order = new int[256];
        int i = 0;
        for (int b = 0; b < 256; b++) if (isPrintable(b)) order[i++] = b;
        for (int b = 0; b < 256; b++) if (!isPrintable(b)) order[i++] = b;
        return order;
    }

    private static boolean isPrintable(int b) {
        return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    }
}
