package ai.appliance.sync.agent;

import ai.appliance.sync.util.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The agent states of a store root as they are now, for {@code sync status}: what each {@code agent-state.json}
 * says, except that work the file shows under way (downloading, verifying, activating) is reported as
 * {@code interrupted} when no agent runs to do it ({@link AgentPresence}).
 */
public final class LocalStatus {
    /** States that only a running agent can be in. */
    private static final Set<String> UNDER_WAY = Set.of("downloading", "verifying", "activating");
    public static final String INTERRUPTED = "interrupted";

    private LocalStatus() {}

    public static List<AgentState> read(Path storeRoot, List<String> models) throws IOException {
        var layout = new LocalLayout(storeRoot);
        boolean agentRunning = AgentPresence.running(storeRoot);
        var out = new ArrayList<AgentState>();
        for (var model : models) {
            var file = layout.agentState(model);
            var state = Files.exists(file) ? Json.read(Files.readAllBytes(file), AgentState.class, file.toString())
                    : AgentState.initial(model);
            out.add(!agentRunning && UNDER_WAY.contains(state.state())
                    ? state.state(INTERRUPTED).error(interruption(state)) : state);
        }
        return out;
    }

    private static String interruption(AgentState s) {
        var what = "downloading".equals(s.state()) ? String.format("downloading at %.0f%%", s.progress() * 100) : s.state();
        return "interrupted while " + what + ": no sync agent is running ('sync run' or serve resumes it)"
                + (s.lastError() == null ? "" : "; before that: " + s.lastError());
    }
}
