package ai.appliance.runtime.grammar;

import java.util.BitSet;

/**
 * Any JSON value, with objects and arrays nested at most {@code depth} levels (below that only strings, numbers,
 * booleans and null): the values of a {@code json_object} answer or of a schema that constrains nothing.
 */
final class AnyValueRule extends Rule {
    private final AnyObjectRule object;
    private final ArrayRule array;

    AnyValueRule(int depth) {
        if (depth > 0) {
            var inner = new AnyValueRule(depth - 1);
            this.object = new AnyObjectRule(inner);
            this.array = new ArrayRule(inner, 0, ArrayRule.UNBOUNDED);
        } else {
            this.object = null;
            this.array = null;
        }
    }

    /** An object whose values nest at most {@code depth - 1} further levels. */
    static AnyObjectRule object(int depth) {
        return new AnyValueRule(depth).object;
    }

    @Override
    Frame start() {
        return new AnyValueFrame(this);
    }

    @Override
    BitSet firstBytes() {
        var set = new BitSet(256);
        if (object != null) {
            set.set('{');
            set.set('[');
        }
        set.or(StringRule.ANY.firstBytes());
        set.or(NumberRule.NUMBER.firstBytes());
        set.or(LiteralRule.TRUE_FALSE_NULL.firstBytes());
        return set;
    }

    record AnyValueFrame(AnyValueRule rule) implements Frame {
        @Override
        public GrammarState step(GrammarState self, int b) {
            Rule chosen = switch (b) {
                case '{' -> rule.object;
                case '[' -> rule.array;
                case '"' -> StringRule.ANY;
                case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' -> NumberRule.NUMBER;
                case 't', 'f', 'n' -> LiteralRule.TRUE_FALSE_NULL;
                default -> null;
            };
            return chosen == null ? null : self.below.pushAndFeed(chosen.start(), b);
        }
    }
}
