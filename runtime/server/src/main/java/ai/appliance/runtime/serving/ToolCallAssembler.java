package ai.appliance.runtime.serving;

import ai.appliance.runtime.chat.ToolCall;
import ai.appliance.runtime.scheduler.ToolCallDelta;
import java.util.ArrayList;
import java.util.List;

/** Puts streamed {@link ToolCallDelta}s back together into whole calls, for answers sent in one piece. */
public final class ToolCallAssembler {
    private final List<String> ids = new ArrayList<>();
    private final List<String> names = new ArrayList<>();
    private final List<StringBuilder> arguments = new ArrayList<>();

    public void add(List<ToolCallDelta> deltas) {
        for (var d : deltas) {
            while (ids.size() <= d.index()) {
                ids.add(null);
                names.add(null);
                arguments.add(new StringBuilder());
            }
            if (d.id() != null) ids.set(d.index(), d.id());
            if (d.name() != null) names.set(d.index(), d.name());
            arguments.get(d.index()).append(d.arguments());
        }
    }

    /** The calls so far, in order. */
    public List<ToolCall> calls() {
        var out = new ArrayList<ToolCall>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            out.add(new ToolCall(ids.get(i), names.get(i) == null ? "" : names.get(i), arguments.get(i).toString()));
        }
        return List.copyOf(out);
    }

    /** Characters of arguments so far (for the audit log's response size). */
    public int argumentChars() {
        int n = 0;
        for (var a : arguments) n += a.length();
        return n;
    }
}
