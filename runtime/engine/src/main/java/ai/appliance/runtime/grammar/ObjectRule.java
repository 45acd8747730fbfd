package ai.appliance.runtime.grammar;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * A JSON object with declared properties, written in declaration order (as OpenAI's structured outputs do): each
 * property at most once, optional ones may be left out, required ones must appear before the closing brace. No other
 * keys. One space is allowed after a colon and after a comma, no other whitespace, so output cannot wander off into
 * blank space.
 */
final class ObjectRule extends Rule {

    /** A declared property. */
    record Property(String name, Rule value, boolean required) {
    }

    // The phases of an object's frame, shared with AnyObjectRule (same punctuation and whitespace, other keys).
    static final int OPEN = 0;
    static final int AFTER_OPEN = 1;
    static final int COLON = 2;
    static final int VALUE = 3;
    static final int VALUE_SPACED = 4;
    static final int AFTER_VALUE = 5;
    static final int AFTER_COMMA = 6;
    static final int AFTER_COMMA_SPACED = 7;

    private final List<Property> properties;
    /** keysFrom[i]: the keys that may come next when properties before i are done (key bytes after the quote). */
    private final ByteTrie[] keysFrom;
    /** mayCloseFrom[i]: no required property at index i or later. */
    private final boolean[] mayCloseFrom;

    ObjectRule(List<Property> properties) {
        this.properties = List.copyOf(properties);
        int n = this.properties.size();
        var encoded = new ArrayList<byte[]>(n);
        for (var p : this.properties) {
            byte[] escaped = JsonStringEncoder.getInstance().quoteAsUTF8(p.name());
            byte[] key = java.util.Arrays.copyOf(escaped, escaped.length + 1);
            key[escaped.length] = '"';
            encoded.add(key);
        }
        this.keysFrom = new ByteTrie[n + 1];
        this.mayCloseFrom = new boolean[n + 1];
        mayCloseFrom[n] = true;
        for (int i = n - 1; i >= 0; i--) mayCloseFrom[i] = mayCloseFrom[i + 1] && !this.properties.get(i).required();
        for (int i = 0; i <= n; i++) {
            var keys = new ArrayList<byte[]>();
            var indexes = new ArrayList<Integer>();
            for (int j = i; j < n; j++) {
                keys.add(encoded.get(j));
                indexes.add(j);
                if (this.properties.get(j).required()) break;
            }
            keysFrom[i] = keys.isEmpty() ? null : ByteTrie.of(keys, indexes.stream().mapToInt(Integer::intValue).toArray());
        }
    }

    @Override
    Frame start() {
        return new ObjectFrame(this, 0, OPEN);
    }

    @Override
    BitSet firstBytes() {
        var set = new BitSet(256);
        set.set('{');
        return set;
    }

    /** Progress through the object: {@code next} is the index of the first property that may still come. */
    record ObjectFrame(ObjectRule rule, int next, int phase) implements Frame {
        @Override
        public GrammarState step(GrammarState self, int b) {
            var below = self.below;
            switch (phase) {
                case OPEN:
                    return b == '{' ? below.push(new ObjectFrame(rule, 0, AFTER_OPEN)) : null;
                case AFTER_OPEN:
                    if (b == '}') return rule.mayCloseFrom[next] ? below : null;
                    return key(below, b);
                case AFTER_COMMA:
                    if (b == ' ') return below.push(new ObjectFrame(rule, next, AFTER_COMMA_SPACED));
                    return key(below, b);
                case AFTER_COMMA_SPACED:
                    return key(below, b);
                case COLON:
                    return b == ':' ? below.push(new ObjectFrame(rule, next, VALUE)) : null;
                case VALUE:
                    if (b == ' ') return below.push(new ObjectFrame(rule, next, VALUE_SPACED));
                    return value(below, b);
                case VALUE_SPACED:
                    return value(below, b);
                case AFTER_VALUE:
                    if (b == ',' && rule.keysFrom[next] != null) return below.push(new ObjectFrame(rule, next, AFTER_COMMA));
                    if (b == '}' && rule.mayCloseFrom[next]) return below;
                    return null;
                default:
                    throw new IllegalStateException("object phase " + phase);
            }
        }

        private GrammarState key(GrammarState below, int b) {
            var keys = rule.keysFrom[next];
            return b == '"' && keys != null ? below.push(new KeyFrame(rule, keys, 0)) : null;
        }

        private GrammarState value(GrammarState below, int b) {
            var value = rule.properties.get(next - 1).value();
            return below.push(new ObjectFrame(rule, next, AFTER_VALUE)).pushAndFeed(value.start(), b);
        }
    }

    /** Inside a key, matched literally against the names that may come next; it stands in for the object. */
    record KeyFrame(ObjectRule rule, ByteTrie keys, int node) implements Frame {
        @Override
        public GrammarState step(GrammarState self, int b) {
            int child = keys.child(node, b);
            if (child < 0) return null;
            if (keys.terminal(child)) {
                // Keys end with their closing quote, which cannot occur inside a key: a terminal node is a leaf.
                return self.below.push(new ObjectFrame(rule, keys.payload(child) + 1, COLON));
            }
            return self.below.push(new KeyFrame(rule, keys, child));
        }
    }
}
