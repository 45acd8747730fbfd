package ai.appliance.runtime.grammar;

import java.util.BitSet;
import java.util.List;

/**
 * One of several rules, chosen by the first byte (a string or null; a number or an array): the alternatives must
 * start with different bytes, which {@link JsonSchemaGrammar} checks before it builds one.
 */
final class ChoiceRule extends Rule {
    private final Rule[] byFirstByte = new Rule[256];
    private final BitSet first = new BitSet(256);

    /** @throws IllegalArgumentException when two alternatives can start with the same byte */
    ChoiceRule(List<Rule> alternatives) {
        for (var alternative : alternatives) {
            var bytes = alternative.firstBytes();
            if (bytes.intersects(first)) {
                throw new IllegalArgumentException("alternatives that start with the same byte");
            }
            first.or(bytes);
            bytes.stream().forEach(b -> byFirstByte[b] = alternative);
        }
    }

    /** Whether the alternatives can be told apart by their first byte. */
    static boolean distinguishable(List<Rule> alternatives) {
        var seen = new BitSet(256);
        for (var alternative : alternatives) {
            var bytes = alternative.firstBytes();
            if (bytes.intersects(seen)) return false;
            seen.or(bytes);
        }
        return true;
    }

    @Override
    Frame start() {
        return new ChoiceFrame(this);
    }

    @Override
    BitSet firstBytes() {
        return (BitSet) first.clone();
    }

    record ChoiceFrame(ChoiceRule rule) implements Frame {
        @Override
        public GrammarState step(GrammarState self, int b) {
            var chosen = rule.byFirstByte[b];
            return chosen == null ? null : self.below.pushAndFeed(chosen.start(), b);
        }
    }
}
