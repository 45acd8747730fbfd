package ai.appliance.runtime.grammar;

import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.List;

/**
 * One of a fixed set of byte strings: {@code true}, {@code false}, {@code null}, the JSON texts of an enum's values,
 * a tool call's markers. Where one alternative is a prefix of another ({@code 1} and {@code 12}) the shorter ends
 * at the first byte that does not continue the longer.
 */
final class LiteralRule extends Rule {
    static final LiteralRule BOOLEAN = of(List.of(bytes("true"), bytes("false")));
    static final LiteralRule NULL = of(List.of(bytes("null")));
    static final LiteralRule TRUE_FALSE_NULL = of(List.of(bytes("true"), bytes("false"), bytes("null")));

    private final ByteTrie trie;

    private LiteralRule(ByteTrie trie) {
        this.trie = trie;
    }

    static LiteralRule of(List<byte[]> alternatives) {
        return new LiteralRule(ByteTrie.of(alternatives, new int[alternatives.size()]));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    Frame start() {
        return new LiteralFrame(this, 0);
    }

    @Override
    BitSet firstBytes() {
        return trie.firstBytes();
    }

    record LiteralFrame(LiteralRule rule, int node) implements Frame {
        @Override
        public GrammarState step(GrammarState self, int b) {
            var trie = rule.trie;
            int child = trie.child(node, b);
            if (child >= 0) return trie.leaf(child) ? self.below : self.below.push(new LiteralFrame(rule, child));
            return node != 0 && trie.terminal(node) ? self.below.advance(b) : null;
        }

        @Override
        public boolean canEnd() {
            return node != 0 && rule.trie.terminal(node);
        }
    }
}
