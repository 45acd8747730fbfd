package ai.appliance.runtime.grammar;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A compiled grammar: what output may look like, byte by byte. JSON values come from {@link JsonSchemaGrammar};
 * the factories here compose them with fixed text (a tool call's markers around its JSON arguments). Rules are
 * immutable and compared by identity: a rule compiled once and reused keeps its cached token masks valid.
 */
public abstract sealed class Rule
        permits ObjectRule, AnyObjectRule, ArrayRule, StringRule, NumberRule, LiteralRule, ChoiceRule, AnyValueRule,
        SequenceRule, RepeatRule, SwitchRule {

    Rule() {
    }

    /** The frame that reads this rule's first byte. */
    abstract Frame start();

    /** The bytes this rule's output can start with. */
    abstract BitSet firstBytes();

    /** Exactly {@code text} (UTF-8). */
    public static Rule literal(String text) {
        return LiteralRule.of(List.of(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** The parts one after the other. */
    public static Rule sequence(List<Rule> parts) {
        return new SequenceRule(parts);
    }

    /** The parts one after the other. */
    public static Rule sequence(Rule... parts) {
        return new SequenceRule(List.of(parts));
    }

    /**
     * {@code item}, then {@code separator item} as long as the count allows, then {@code end}: at least {@code min}
     * and at most {@code max} items. The separator and the end must start with different bytes.
     */
    public static Rule repeat(Rule item, Rule separator, Rule end, int min, int max) {
        return new RepeatRule(item, separator, end, min, max);
    }

    /**
     * Either rule, decided by the first byte (JSON starts with a brace, a tool call with its marker).
     *
     * @throws IllegalArgumentException when both can start with the same byte
     */
    public static Rule either(Rule first, Rule second) {
        return new ChoiceRule(List.of(first, second));
    }

    /**
     * One of the keys (literal text, none a prefix of another), then the rule that key leads to: a tool call's
     * function name, then that function's arguments.
     */
    public static Rule keyed(Map<String, Rule> next) {
        var keys = new ArrayList<byte[]>();
        var rules = new ArrayList<Rule>();
        for (var e : new LinkedHashMap<>(next).entrySet()) {
            keys.add(e.getKey().getBytes(StandardCharsets.UTF_8));
            rules.add(e.getValue());
        }
        return new SwitchRule(keys, rules);
    }
}
