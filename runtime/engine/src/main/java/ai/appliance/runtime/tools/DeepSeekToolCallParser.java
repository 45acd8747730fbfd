package ai.appliance.runtime.tools;

import static ai.appliance.runtime.tools.DeepSeekToolCalls.CALLS_BEGIN;
import static ai.appliance.runtime.tools.DeepSeekToolCalls.CALLS_END;
import static ai.appliance.runtime.tools.DeepSeekToolCalls.CALL_BEGIN;
import static ai.appliance.runtime.tools.DeepSeekToolCalls.CALL_END;
import static ai.appliance.runtime.tools.DeepSeekToolCalls.SEP;

import ai.appliance.runtime.chat.ReasoningSplitter;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@link DeepSeekToolCalls}' syntax out of streamed text. Arguments stream as they come, except for text that
 * may be the start of the closing {@code \n```<｜tool▁call▁end｜>}. Lenient where models are: a call without the
 * {@code <｜tool▁calls▁begin｜>} wrapper, arguments without the {@code ```json} fence.
 */
final class DeepSeekToolCallParser implements ToolCallParser {
    private static final String FENCE = "```json\n";
    private static final String BARE_FENCE = "```\n";
    private static final String[] ARGUMENT_ENDS = {"\n```" + CALL_END, "```" + CALL_END, CALL_END};

    private enum State { TEXT, BETWEEN_CALLS, HEADER, FENCE, ARGUMENTS }

    private final StringBuilder pending = new StringBuilder();
    private State state = State.TEXT;
    private int calls;

    @Override
    public Output push(String text) {
        pending.append(text);
        var content = new StringBuilder();
        var chunks = new ArrayList<ToolCallChunk>();
        while (step(content, chunks)) {
            // each step consumed something or changed state
        }
        return new Output(content.toString(), chunks);
    }

    /** One move of the state machine; false when it must wait for more text. */
    private boolean step(StringBuilder content, List<ToolCallChunk> chunks) {
        switch (state) {
            case TEXT -> {
                int wrappedAt = pending.indexOf(CALLS_BEGIN);
                int bareAt = pending.indexOf(CALL_BEGIN);
                int at = wrappedAt < 0 ? bareAt : bareAt < 0 ? wrappedAt : Math.min(wrappedAt, bareAt);
                if (at >= 0) {
                    content.append(pending, 0, at);
                    boolean wrapped = at == wrappedAt;
                    pending.delete(0, at + (wrapped ? CALLS_BEGIN : CALL_BEGIN).length());
                    state = wrapped ? State.BETWEEN_CALLS : State.HEADER;
                    return true;
                }
                int hold = Math.max(ReasoningSplitter.partialTagSuffix(pending, CALLS_BEGIN),
                        ReasoningSplitter.partialTagSuffix(pending, CALL_BEGIN));
                content.append(pending, 0, pending.length() - hold);
                pending.delete(0, pending.length() - hold);
                return false;
            }
            case BETWEEN_CALLS -> {
                int start = 0;
                while (start < pending.length() && Character.isWhitespace(pending.charAt(start))) start++;
                var rest = pending.substring(start);
                if (rest.startsWith(CALL_BEGIN)) {
                    pending.delete(0, start + CALL_BEGIN.length());
                    state = State.HEADER;
                    return true;
                }
                if (rest.startsWith(CALLS_END)) {
                    pending.delete(0, start + CALLS_END.length());
                    state = State.TEXT;
                    return true;
                }
                if (CALL_BEGIN.startsWith(rest) || CALLS_END.startsWith(rest)) return false;
                state = State.TEXT; // not a call after all: the rest is content
                return true;
            }
            case HEADER -> {
                int sep = pending.indexOf(SEP);
                if (sep < 0) return false;
                int newline = pending.indexOf("\n", sep + SEP.length());
                if (newline < 0) return false;
                var name = pending.substring(sep + SEP.length(), newline).strip();
                pending.delete(0, newline + 1);
                chunks.add(new ToolCallChunk(calls++, name, ""));
                state = State.FENCE;
                return true;
            }
            case FENCE -> {
                for (var fence : new String[] {FENCE, BARE_FENCE}) {
                    if (pending.indexOf(fence) == 0) {
                        pending.delete(0, fence.length());
                        state = State.ARGUMENTS;
                        return true;
                    }
                }
                var text = pending.toString();
                if (FENCE.startsWith(text) || BARE_FENCE.startsWith(text)) return false;
                state = State.ARGUMENTS;
                return true;
            }
            case ARGUMENTS -> {
                int end = pending.indexOf(CALL_END);
                if (end >= 0) {
                    var arguments = pending.substring(0, end);
                    if (arguments.endsWith("```")) arguments = arguments.substring(0, arguments.length() - 3);
                    if (arguments.endsWith("\n")) arguments = arguments.substring(0, arguments.length() - 1);
                    if (!arguments.isEmpty()) chunks.add(new ToolCallChunk(calls - 1, null, arguments));
                    pending.delete(0, end + CALL_END.length());
                    state = State.BETWEEN_CALLS;
                    return true;
                }
                int hold = 0;
                for (var ending : ARGUMENT_ENDS) hold = Math.max(hold, ReasoningSplitter.partialTagSuffix(pending, ending));
                if (pending.length() > hold) {
                    chunks.add(new ToolCallChunk(calls - 1, null, pending.substring(0, pending.length() - hold)));
                    pending.delete(0, pending.length() - hold);
                }
                return false;
            }
            default -> throw new IllegalStateException(state.name());
        }
    }

    @Override
    public Output finish() {
        var out = switch (state) {
            case TEXT -> new Output(pending.toString(), List.of());
            // What arguments held back can only be the start of the closing marker; an unfinished marker or header
            // is nothing a client could use either.
            case ARGUMENTS, BETWEEN_CALLS, HEADER, FENCE -> Output.EMPTY;
        };
        pending.setLength(0);
        state = State.TEXT;
        return out;
    }

    @Override
    public int calls() {
        return calls;
    }
}
