package ai.appliance.runtime.grammar;

import java.util.BitSet;
import java.util.List;

/** One of several literal keys, none a prefix of another, followed by the rule that key selects. */
final class SwitchRule extends Rule {
    private final ByteTrie keys;
    private final List<Rule> next;

    SwitchRule(List<byte[]> keys, List<Rule> next) {
        if (keys.isEmpty()) throw new IllegalArgumentException("a switch needs at least one key");
        var payloads = new int[keys.size()];
        for (int i = 0; i < payloads.length; i++) payloads[i] = i;
        this.keys = ByteTrie.of(keys, payloads);
        this.next = List.copyOf(next);
        for (int i = 0; i < keys.size(); i++) {
            int node = 0;
            for (byte b : keys.get(i)) node = this.keys.child(node, b & 0xFF);
            if (!this.keys.leaf(node)) throw new IllegalArgumentException("a switch key is a prefix of another");
        }
    }

    @Override
    Frame start() {
        return new SwitchFrame(this, 0);
    }

    @Override
    BitSet firstBytes() {
        return keys.firstBytes();
    }

    record SwitchFrame(SwitchRule rule, int node) implements Frame {
        @Override
        public GrammarState step(GrammarState self, int b) {
            int child = rule.keys.child(node, b);
            if (child < 0) return null;
            if (rule.keys.leaf(child)) return self.below.push(rule.next.get(rule.keys.payload(child)).start());
            return self.below.push(new SwitchFrame(rule, child));
        }
    }
}
