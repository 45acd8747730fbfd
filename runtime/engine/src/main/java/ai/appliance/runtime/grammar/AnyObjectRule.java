package ai.appliance.runtime.grammar;

import static ai.appliance.runtime.grammar.ObjectRule.AFTER_COMMA;
import static ai.appliance.runtime.grammar.ObjectRule.AFTER_COMMA_SPACED;
import static ai.appliance.runtime.grammar.ObjectRule.AFTER_OPEN;
import static ai.appliance.runtime.grammar.ObjectRule.AFTER_VALUE;
import static ai.appliance.runtime.grammar.ObjectRule.COLON;
import static ai.appliance.runtime.grammar.ObjectRule.OPEN;
import static ai.appliance.runtime.grammar.ObjectRule.VALUE;
import static ai.appliance.runtime.grammar.ObjectRule.VALUE_SPACED;

import java.util.BitSet;

/**
 * Any JSON object (the {@code json_object} response format, or an object schema that declares no properties): free
 * string keys and values of any type, nested at most as deep as its value rule allows. Whitespace as in
 * {@link ObjectRule}, whose frame phases it shares.
 */
final class AnyObjectRule extends Rule {

    private final Rule values;

    AnyObjectRule(Rule values) {
        this.values = values;
    }

    @Override
    Frame start() {
        return new AnyObjectFrame(this, OPEN);
    }

    @Override
    BitSet firstBytes() {
        var set = new BitSet(256);
        set.set('{');
        return set;
    }

    record AnyObjectFrame(AnyObjectRule rule, int phase) implements Frame {
        @Override
        public GrammarState step(GrammarState self, int b) {
            var below = self.below;
            switch (phase) {
                case OPEN:
                    return b == '{' ? below.push(new AnyObjectFrame(rule, AFTER_OPEN)) : null;
                case AFTER_OPEN:
                    if (b == '}') return below;
                    return key(below, b);
                case AFTER_COMMA:
                    if (b == ' ') return below.push(new AnyObjectFrame(rule, AFTER_COMMA_SPACED));
                    return key(below, b);
                case AFTER_COMMA_SPACED:
                    return key(below, b);
                case COLON:
                    return b == ':' ? below.push(new AnyObjectFrame(rule, VALUE)) : null;
                case VALUE:
                    if (b == ' ') return below.push(new AnyObjectFrame(rule, VALUE_SPACED));
                    return below.push(new AnyObjectFrame(rule, AFTER_VALUE)).pushAndFeed(rule.values.start(), b);
                case VALUE_SPACED:
                    return below.push(new AnyObjectFrame(rule, AFTER_VALUE)).pushAndFeed(rule.values.start(), b);
                case AFTER_VALUE:
                    if (b == ',') return below.push(new AnyObjectFrame(rule, AFTER_COMMA));
                    return b == '}' ? below : null;
                default:
                    throw new IllegalStateException("object phase " + phase);
            }
        }

        private GrammarState key(GrammarState below, int b) {
            if (b != '"') return null;
            return below.push(new AnyObjectFrame(rule, COLON)).push(StringRule.ANY.body());
        }
    }
}
