package ai.appliance.runtime.tokenizer;

/** UTF-8 facts the tokenizers need. */
final class Utf8 {
    private Utf8() {
    }

    /**
     * Length of the trailing bytes of {@code bytes[0..end)} that start a multi-byte character without finishing
     * it (0 when the text ends on a character boundary or the tail is malformed anyway).
     */
    static int incompleteTailLength(byte[] bytes, int end) {
        for (int back = 1; back <= Math.min(3, end); back++) {
            int b = bytes[end - back] & 0xFF;
            if ((b & 0xC0) == 0x80) continue; // continuation byte: keep looking for the lead
            int expected = b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 && b < 0xE0 ? 2 : 1;
            if (b >= 0xF5) expected = 1;
            return expected > back ? back : 0;
        }
        return 0;
    }
}
