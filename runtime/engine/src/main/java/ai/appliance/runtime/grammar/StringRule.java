package ai.appliance.runtime.grammar;

import java.util.BitSet;

/**
 * A JSON string of {@code min} to {@code max} characters (Unicode code points, an escape counting as one): raw
 * UTF-8 checked byte by byte (no overlong forms, no surrogates, nothing above U+10FFFF), the escapes JSON defines,
 * {@code \}{@code u} escapes outside the surrogate range, no raw control characters.
 */
final class StringRule extends Rule {
    static final int UNBOUNDED = Integer.MAX_VALUE;
    /** Any string: keys of free-form objects, strings without length bounds. */
    static final StringRule ANY = new StringRule(0, UNBOUNDED);

    private static final int OPEN = 0;
    private static final int BODY = 1;
    private static final int ESCAPE = 2;
    private static final int HEX1 = 3;
    private static final int HEX2_AFTER_D = 4;
    private static final int HEX2 = 5;
    private static final int HEX3 = 6;
    private static final int HEX4 = 7;
    private static final int UTF8 = 8;

    private final int min;
    private final int max;

    StringRule(int min, int max) {
        if (min < 0 || max < min) throw new IllegalArgumentException("string length bounds " + min + ".." + max);
        this.min = min;
        this.max = max;
    }

    @Override
    Frame start() {
        return new StringFrame(this, OPEN, 0, 0, 0, 0);
    }

    /** The frame just after the opening quote. */
    Frame body() {
        return new StringFrame(this, BODY, 0, 0, 0, 0);
    }

    @Override
    BitSet firstBytes() {
        var set = new BitSet(256);
        set.set('"');
        return set;
    }

    private int counted(int count) {
        return max == UNBOUNDED ? Math.min(count, min) : count;
    }

    /**
     * @param count characters so far (merged past the minimum when unbounded)
     * @param left  UTF-8 continuation bytes still due; {@code low..high} is the range of the next one
     */
    record StringFrame(StringRule rule, int phase, int count, int left, int low, int high) implements Frame {
        @Override
        public GrammarState step(GrammarState self, int b) {
            var below = self.below;
            switch (phase) {
                case OPEN:
                    return b == '"' ? below.push(rule.body()) : null;
                case BODY:
                    if (b == '"') return count >= rule.min ? below : null;
                    if (count >= rule.max || b < 0x20) return null;
                    int next = rule.counted(count + 1);
                    if (b == '\\') return below.push(new StringFrame(rule, ESCAPE, next, 0, 0, 0));
                    if (b < 0x80) return same(self, next);
                    if (b >= 0xC2 && b <= 0xDF) return below.push(new StringFrame(rule, UTF8, next, 1, 0x80, 0xBF));
                    if (b == 0xE0) return below.push(new StringFrame(rule, UTF8, next, 2, 0xA0, 0xBF));
                    if (b == 0xED) return below.push(new StringFrame(rule, UTF8, next, 2, 0x80, 0x9F));
                    if (b >= 0xE1 && b <= 0xEF) return below.push(new StringFrame(rule, UTF8, next, 2, 0x80, 0xBF));
                    if (b == 0xF0) return below.push(new StringFrame(rule, UTF8, next, 3, 0x90, 0xBF));
                    if (b >= 0xF1 && b <= 0xF3) return below.push(new StringFrame(rule, UTF8, next, 3, 0x80, 0xBF));
                    if (b == 0xF4) return below.push(new StringFrame(rule, UTF8, next, 3, 0x80, 0x8F));
                    return null;
                case UTF8:
                    if (b < low || b > high) return null;
                    if (left == 1) return below.push(new StringFrame(rule, BODY, count, 0, 0, 0));
                    return below.push(new StringFrame(rule, UTF8, count, left - 1, 0x80, 0xBF));
                case ESCAPE:
                    return switch (b) {
                        case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> below.push(new StringFrame(rule, BODY, count, 0, 0, 0));
                        case 'u' -> below.push(new StringFrame(rule, HEX1, count, 0, 0, 0));
                        default -> null;
                    };
                case HEX1:
                    if (b == 'd' || b == 'D') return below.push(new StringFrame(rule, HEX2_AFTER_D, count, 0, 0, 0));
                    return hex(b) ? below.push(new StringFrame(rule, HEX2, count, 0, 0, 0)) : null;
                case HEX2_AFTER_D:
                    // \uD800..\uDFFF are surrogates: refused, a lone one is not a character.
                    return b >= '0' && b <= '7' ? below.push(new StringFrame(rule, HEX3, count, 0, 0, 0)) : null;
                case HEX2:
                    return hex(b) ? below.push(new StringFrame(rule, HEX3, count, 0, 0, 0)) : null;
                case HEX3:
                    return hex(b) ? below.push(new StringFrame(rule, HEX4, count, 0, 0, 0)) : null;
                case HEX4:
                    return hex(b) ? below.push(new StringFrame(rule, BODY, count, 0, 0, 0)) : null;
                default:
                    throw new IllegalStateException("string phase " + phase);
            }
        }

        /** An ordinary character that leaves the state as it was returns the same state object (no allocation). */
        private GrammarState same(GrammarState self, int next) {
            return next == count ? self : self.below.push(new StringFrame(rule, BODY, next, 0, 0, 0));
        }

        @Override
        public boolean freeText() {
            return phase != OPEN;
        }

        @Override
        public int plainTextRoom() {
            if (phase != BODY) return -1;
            return rule.max == UNBOUNDED ? Integer.MAX_VALUE : rule.max - count;
        }

        private static boolean hex(int b) {
            return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
        }
    }
}
