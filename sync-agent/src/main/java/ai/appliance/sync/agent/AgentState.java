package ai.appliance.sync.agent;

import java.util.List;
import java.util.Map;

/**
 * What the agent knows about one model ({@code agent-state.json}, docs/formats.md §8). Immutable; the agent
 * writes a new one on every change. {@code bytesDownloaded} counts verified chunk bytes fetched from stores since the
 * state file was created (it only grows: the server exports it as a counter).
 */
public record AgentState(String model, String active, List<String> previous, Map<String, String> bad, String state,
                         double progress, String lastError, String offlineSince, String lastCheck, String lastVerified,
                         String desired, String pending, String pendingSince, String store,
                         long bytesDownloaded) {
    public static AgentState initial(String model) {
        return new AgentState(model, null, List.of(), Map.of(), "idle", 0, null, null, null, null, null, null, null, null, 0);
    }

    AgentState state(String newState) {
        return new AgentState(model, active, previous, bad, newState, progress, lastError, offlineSince, lastCheck, lastVerified, desired, pending, pendingSince, store, bytesDownloaded);
    }

    /** Progress of the download under way, and the chunk bytes fetched from stores over the model's lifetime. */
    AgentState downloaded(double p, long totalBytes) {
        return new AgentState(model, active, previous, bad, state, p, lastError, offlineSince, lastCheck, lastVerified, desired, pending, pendingSince, store, totalBytes);
    }

    AgentState progress(double p) {
        return new AgentState(model, active, previous, bad, state, p, lastError, offlineSince, lastCheck, lastVerified, desired, pending, pendingSince, store, bytesDownloaded);
    }

    AgentState error(String e) {
        return new AgentState(model, active, previous, bad, state, progress, e, offlineSince, lastCheck, lastVerified, desired, pending, pendingSince, store, bytesDownloaded);
    }

    AgentState offlineSince(String t) {
        return new AgentState(model, active, previous, bad, state, progress, lastError, t, lastCheck, lastVerified, desired, pending, pendingSince, store, bytesDownloaded);
    }

    AgentState checked(String t, String storeName) {
        return new AgentState(model, active, previous, bad, state, progress, lastError, offlineSince, t, lastVerified, desired, pending, pendingSince, storeName, bytesDownloaded);
    }

    AgentState verified(String t) {
        return new AgentState(model, active, previous, bad, state, progress, lastError, offlineSince, lastCheck, t, desired, pending, pendingSince, store, bytesDownloaded);
    }

    AgentState desired(String v) {
        return new AgentState(model, active, previous, bad, state, progress, lastError, offlineSince, lastCheck, lastVerified, v, pending, pendingSince, store, bytesDownloaded);
    }

    AgentState versions(String newActive, List<String> newPrevious, Map<String, String> newBad) {
        return new AgentState(model, newActive, List.copyOf(newPrevious), Map.copyOf(newBad), state, progress, lastError, offlineSince, lastCheck, lastVerified, desired, pending, pendingSince, store, bytesDownloaded);
    }

    AgentState pending(String version, String since) {
        return new AgentState(model, active, previous, bad, state, progress, lastError, offlineSince, lastCheck, lastVerified, desired, version, since, store, bytesDownloaded);
    }
}
