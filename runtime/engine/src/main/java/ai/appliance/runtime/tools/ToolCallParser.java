package ai.appliance.runtime.tools;

import java.util.List;

/**
 * Splits one answer's text, as it streams, into plain content and tool calls. Text that may be the start of a call
 * marker is held back until it is decided. Not thread-safe: one per generated answer.
 */
public interface ToolCallParser {

    /** What one piece of text produced: content for the user, and pieces of tool calls. */
    record Output(String content, List<ToolCallChunk> calls) {
        public static final Output EMPTY = new Output("", List.of());

        public Output {
            calls = List.copyOf(calls);
        }

        public boolean isEmpty() {
            return content.isEmpty() && calls.isEmpty();
        }
    }

    /** Adds generated text; returns what can be passed on now. */
    Output push(String text);

    /**
     * The end of the answer: releases what was held back (the arguments of a call cut short by a limit are passed
     * on as they are; a call marker cut before the function's name is dropped).
     */
    Output finish();

    /** How many calls have started so far. */
    int calls();
}
