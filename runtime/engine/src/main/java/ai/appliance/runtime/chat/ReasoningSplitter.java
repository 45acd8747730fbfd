package ai.appliance.runtime.chat;

/**
 * Splits DeepSeek-R1 output into reasoning (between {@code <think>} and {@code </think>}) and the answer, as the
 * text streams in. A tag cut across chunks is held back until it is whole or proven not to be a tag. R1's chat
 * template ends the generation prompt with {@code <think>\n}, so generation usually starts inside reasoning:
 * {@link #forPrompt} decides that from the rendered prompt. Text after {@code </think>} is the answer, verbatim.
 * Not thread-safe: one per generated sequence.
 */
public final class ReasoningSplitter {
    public static final String OPEN = "<think>";
    public static final String CLOSE = "</think>";

    /** Text newly assigned to each side by one call; either may be empty. */
    public record Delta(String reasoning, String content) {
        public static final Delta EMPTY = new Delta("", "");

        public boolean isEmpty() {
            return reasoning.isEmpty() && content.isEmpty();
        }
    }

    private enum State { START, REASONING, ANSWER }

    private State state;
    private final StringBuilder pending = new StringBuilder();

    private ReasoningSplitter(State state) {
        this.state = state;
    }

    /**
     * A splitter for output that follows {@code renderedPrompt}: inside reasoning when the prompt ends by opening
     * {@code <think>} (only whitespace after it), as R1's generation prompt does. A {@code <think>} somewhere in
     * a user's message does not count.
     */
    public static ReasoningSplitter forPrompt(String renderedPrompt) {
        boolean insideThink = renderedPrompt.strip().endsWith(OPEN);
        return new ReasoningSplitter(insideThink ? State.REASONING : State.START);
    }

    /** A splitter for output that may open with {@code <think>} itself. */
    public static ReasoningSplitter atStart() {
        return new ReasoningSplitter(State.START);
    }

    public boolean inReasoning() {
        return state == State.REASONING;
    }

    /** Adds generated text; returns what can be shown now. */
    public Delta push(String text) {
        pending.append(text);
        var reasoning = new StringBuilder();
        var content = new StringBuilder();
        while (true) {
            switch (state) {
                case START -> {
                    // leading whitespace, then maybe <think>: wait until we know
                    int i = 0;
                    while (i < pending.length() && Character.isWhitespace(pending.charAt(i))) i++;
                    String rest = pending.substring(i);
                    if (rest.startsWith(OPEN)) {
                        pending.delete(0, i + OPEN.length());
                        state = State.REASONING;
                        continue;
                    }
                    if (OPEN.startsWith(rest)) return new Delta(reasoning.toString(), content.toString()); // undecided
                    state = State.ANSWER;
                    continue;
                }
                case REASONING -> {
                    int close = pending.indexOf(CLOSE);
                    if (close >= 0) {
                        reasoning.append(pending, 0, close);
                        pending.delete(0, close + CLOSE.length());
                        state = State.ANSWER;
                        continue;
                    }
                    int keep = partialTagSuffix(pending, CLOSE);
                    reasoning.append(pending, 0, pending.length() - keep);
                    pending.delete(0, pending.length() - keep);
                    return new Delta(reasoning.toString(), content.toString());
                }
                case ANSWER -> {
                    content.append(pending);
                    pending.setLength(0);
                    return new Delta(reasoning.toString(), content.toString());
                }
            }
        }
    }

    /** Releases held text at the end of generation (an unfinished tag is just text). */
    public Delta finish() {
        String rest = pending.toString();
        pending.setLength(0);
        return switch (state) {
            case REASONING -> new Delta(rest, "");
            case START, ANSWER -> {
                state = State.ANSWER;
                yield new Delta("", rest);
            }
        };
    }

    /**
     * Length of the longest suffix of {@code text} that is a proper prefix of {@code tag}: what a streaming parser
     * holds back because the tag may be starting (also the tool-call parser's markers).
     */
    public static int partialTagSuffix(CharSequence text, String tag) {
        for (int n = Math.min(tag.length() - 1, text.length()); n > 0; n--) {
            boolean match = true;
            for (int k = 0; k < n && match; k++) match = text.charAt(text.length() - n + k) == tag.charAt(k);
            if (match) return n;
        }
        return 0;
    }

    /** Splits a complete output in one go. */
    public static Delta split(String renderedPrompt, String generated) {
        var splitter = forPrompt(renderedPrompt);
        var a = splitter.push(generated);
        var b = splitter.finish();
        return new Delta(a.reasoning() + b.reasoning(), a.content() + b.content());
    }
}
