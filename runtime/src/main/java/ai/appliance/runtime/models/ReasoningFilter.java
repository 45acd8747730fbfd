package ai.appliance.runtime.models;

/**
 * Splits streamed model text into answer and reasoning (DeepSeek-R1's {@code <think>...</think>} part).
 * One instance per request; not thread-safe.
 */
public interface ReasoningFilter {

    /** A piece of text, split. */
    record Split(String content, String reasoning) {
        public static final Split EMPTY = new Split("", "");
    }

    Split push(String text);

    /** Whatever is held back at the end of the request. */
    Split flush();

    /** For models without reasoning: everything is answer. */
    static ReasoningFilter none() {
        return new ReasoningFilter() {
            @Override
            public Split push(String text) {
                return new Split(text, "");
            }

            @Override
            public Split flush() {
                return Split.EMPTY;
            }
        };
    }
}
