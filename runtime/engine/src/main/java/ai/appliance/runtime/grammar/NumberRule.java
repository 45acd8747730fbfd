package ai.appliance.runtime.grammar;

import java.util.BitSet;

/**
 * A JSON number ({@code integer}: no fraction or exponent). Digits are capped (15 before the point, 15 after it,
 * 2 in the exponent): every value then parses exactly into a long or as a double, and a model cannot run on
 * through digits forever. A number ends at the first byte that cannot continue it, which the enclosing rule reads.
 */
final class NumberRule extends Rule {
    static final int MAX_INTEGER_DIGITS = 15;
    static final int MAX_FRACTION_DIGITS = 15;
    static final int MAX_EXPONENT_DIGITS = 2;

    static final NumberRule NUMBER = new NumberRule(false);
    static final NumberRule INTEGER = new NumberRule(true);

    private static final int START = 0;
    private static final int MINUS = 1;
    private static final int ZERO = 2;
    private static final int INT = 3;
    private static final int DOT = 4;
    private static final int FRACTION = 5;
    private static final int EXPONENT = 6;
    private static final int EXPONENT_SIGN = 7;
    private static final int EXPONENT_DIGITS = 8;

    private final boolean integer;

    private NumberRule(boolean integer) {
        this.integer = integer;
    }

    @Override
    Frame start() {
        return new NumberFrame(this, START, 0);
    }

    @Override
    BitSet firstBytes() {
        var set = new BitSet(256);
        set.set('-');
        set.set('0', '9' + 1);
        return set;
    }

    record NumberFrame(NumberRule rule, int phase, int digits) implements Frame {
        @Override
        public GrammarState step(GrammarState self, int b) {
            var below = self.below;
            boolean digit = b >= '0' && b <= '9';
            switch (phase) {
                case START:
                    if (b == '-') return below.push(new NumberFrame(rule, MINUS, 0));
                    // fall through: the first digit
                case MINUS:
                    if (b == '0') return below.push(new NumberFrame(rule, ZERO, 1));
                    return digit ? below.push(new NumberFrame(rule, INT, 1)) : null;
                case ZERO:
                    return fractionOrEnd(self, b);
                case INT:
                    if (digit) return digits < MAX_INTEGER_DIGITS ? below.push(new NumberFrame(rule, INT, digits + 1)) : null;
                    return fractionOrEnd(self, b);
                case DOT:
                    return digit ? below.push(new NumberFrame(rule, FRACTION, 1)) : null;
                case FRACTION:
                    if (digit) return digits < MAX_FRACTION_DIGITS ? below.push(new NumberFrame(rule, FRACTION, digits + 1)) : null;
                    if (b == 'e' || b == 'E') return below.push(new NumberFrame(rule, EXPONENT, 0));
                    return below.advance(b);
                case EXPONENT:
                    if (b == '+' || b == '-') return below.push(new NumberFrame(rule, EXPONENT_SIGN, 0));
                    // fall through: the first exponent digit
                case EXPONENT_SIGN:
                    return digit ? below.push(new NumberFrame(rule, EXPONENT_DIGITS, 1)) : null;
                case EXPONENT_DIGITS:
                    if (digit) return digits < MAX_EXPONENT_DIGITS ? below.push(new NumberFrame(rule, EXPONENT_DIGITS, digits + 1)) : null;
                    return below.advance(b);
                default:
                    throw new IllegalStateException("number phase " + phase);
            }
        }

        /** After the integer part: a fraction or exponent (numbers only), else the number ends before {@code b}. */
        private GrammarState fractionOrEnd(GrammarState self, int b) {
            if (!rule.integer) {
                if (b == '.') return self.below.push(new NumberFrame(rule, DOT, 0));
                if (b == 'e' || b == 'E') return self.below.push(new NumberFrame(rule, EXPONENT, 0));
            }
            if (b >= '0' && b <= '9') return null; // a leading zero takes no more digits
            return self.below.advance(b);
        }

        @Override
        public boolean canEnd() {
            return phase == ZERO || phase == INT || phase == FRACTION || phase == EXPONENT_DIGITS;
        }
    }
}
