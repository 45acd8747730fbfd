package ai.appliance.runtime.grammar;

import java.util.BitSet;

/** A JSON array of items of one rule, between {@code min} and {@code max} of them; one space allowed after a comma. */
final class ArrayRule extends Rule {
    static final int UNBOUNDED = Integer.MAX_VALUE;

    private static final int OPEN = 0;
    private static final int AFTER_OPEN = 1;
    private static final int AFTER_VALUE = 2;
    private static final int AFTER_COMMA = 3;
    private static final int AFTER_COMMA_SPACED = 4;

    private final Rule items;
    private final int min;
    private final int max;

    ArrayRule(Rule items, int min, int max) {
        if (min < 0 || max < min) throw new IllegalArgumentException("array bounds " + min + ".." + max);
        this.items = items;
        this.min = min;
        this.max = max;
    }

    @Override
    Frame start() {
        return new ArrayFrame(this, 0, OPEN);
    }

    @Override
    BitSet firstBytes() {
        var set = new BitSet(256);
        set.set('[');
        return set;
    }

    /**
     * Counts past what the bounds can tell apart are merged (an unbounded array past its minimum is in one state),
     * so that the states of a long array repeat and their masks are reused.
     */
    private int counted(int count) {
        return max == UNBOUNDED ? Math.min(count, min) : count;
    }

    record ArrayFrame(ArrayRule rule, int count, int phase) implements Frame {
        @Override
        public GrammarState step(GrammarState self, int b) {
            var below = self.below;
            switch (phase) {
                case OPEN:
                    return b == '[' ? below.push(new ArrayFrame(rule, 0, AFTER_OPEN)) : null;
                case AFTER_OPEN:
                    if (b == ']') return rule.min == 0 ? below : null;
                    return rule.max > 0 ? item(below, b) : null;
                case AFTER_COMMA:
                    if (b == ' ') return below.push(new ArrayFrame(rule, count, AFTER_COMMA_SPACED));
                    return item(below, b);
                case AFTER_COMMA_SPACED:
                    return item(below, b);
                case AFTER_VALUE:
                    if (b == ',' && count < rule.max) return below.push(new ArrayFrame(rule, count, AFTER_COMMA));
                    if (b == ']' && count >= rule.min) return below;
                    return null;
                default:
                    throw new IllegalStateException("array phase " + phase);
            }
        }

        private GrammarState item(GrammarState below, int b) {
            return below.push(new ArrayFrame(rule, rule.counted(count + 1), AFTER_VALUE)).pushAndFeed(rule.items.start(), b);
        }
    }
}
