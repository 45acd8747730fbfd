package ai.appliance.runtime.grammar;

import java.util.BitSet;

/** {@code item (separator item)* end} with {@code min..max} items; separator and end start differently. */
final class RepeatRule extends Rule {
    private static final int ITEM = 0;
    private static final int AFTER_ITEM = 1;

    private final Rule item;
    private final Rule separator;
    private final Rule end;
    private final BitSet separatorFirst;
    private final BitSet endFirst;
    private final int min;
    private final int max;

    RepeatRule(Rule item, Rule separator, Rule end, int min, int max) {
        if (min < 1 || max < min) throw new IllegalArgumentException("repeat bounds " + min + ".." + max);
        this.item = item;
        this.separator = separator;
        this.end = end;
        this.separatorFirst = separator.firstBytes();
        this.endFirst = end.firstBytes();
        if (separatorFirst.intersects(endFirst)) {
            throw new IllegalArgumentException("a repeat's separator and end must start with different bytes");
        }
        this.min = min;
        this.max = max;
    }

    @Override
    Frame start() {
        return new RepeatFrame(this, 0, ITEM);
    }

    @Override
    BitSet firstBytes() {
        return item.firstBytes();
    }

    record RepeatFrame(RepeatRule rule, int count, int phase) implements Frame {
        @Override
        public GrammarState step(GrammarState self, int b) {
            var below = self.below;
            if (phase == ITEM) return below.push(new RepeatFrame(rule, count + 1, AFTER_ITEM)).pushAndFeed(rule.item.start(), b);
            if (count < rule.max && rule.separatorFirst.get(b)) {
                return below.push(new RepeatFrame(rule, count, ITEM)).pushAndFeed(rule.separator.start(), b);
            }
            if (count >= rule.min && rule.endFirst.get(b)) return below.pushAndFeed(rule.end.start(), b);
            return null;
        }
    }
}
