package ai.appliance.runtime.grammar;

import java.util.BitSet;
import java.util.List;

/** Rules one after the other. */
final class SequenceRule extends Rule {
    private final List<Rule> parts;

    SequenceRule(List<Rule> parts) {
        if (parts.isEmpty()) throw new IllegalArgumentException("a sequence needs at least one part");
        this.parts = List.copyOf(parts);
    }

    @Override
    Frame start() {
        return new SequenceFrame(this, 0);
    }

    @Override
    BitSet firstBytes() {
        return parts.getFirst().firstBytes();
    }

    /** Waiting for part {@code index}'s first byte. */
    record SequenceFrame(SequenceRule rule, int index) implements Frame {
        @Override
        public GrammarState step(GrammarState self, int b) {
            var part = rule.parts.get(index).start();
            // The last part replaces the sequence, so a finished sequence leaves nothing on the stack.
            var rest = index == rule.parts.size() - 1 ? self.below : self.below.push(new SequenceFrame(rule, index + 1));
            return rest.pushAndFeed(part, b);
        }
    }
}
