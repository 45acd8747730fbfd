package ai.appliance.sync.cli;

import ai.appliance.sync.agent.AgentState;
import ai.appliance.sync.agent.LocalStatus;
import ai.appliance.sync.util.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

@Command(name = "status", mixinStandardHelpOptions = true, description = "Show what the agent has installed and is doing "
        + "(reads the local store); work left under way by an agent that is no longer running shows as interrupted.")
final class StatusCommand extends SyncSubcommand {
    @Mixin StoreRootOption where;
    @Option(names = "--json", description = "Machine-readable output.") boolean json;

    @Override
    int execute() throws IOException {
        var states = LocalStatus.read(where.storeRoot, where.localModels());
        if (json) {
            out().println(new String(Json.writePretty(states), StandardCharsets.UTF_8));
        } else if (states.isEmpty()) {
            out().println("no models in " + where.storeRoot.resolve("models"));
        } else {
            states.forEach(s -> out().println(line(s)));
        }
        return 0;
    }

    static String line(AgentState s) {
        var sb = new StringBuilder();
        sb.append(s.model()).append(": active ").append(s.active() == null ? "none" : s.active())
                .append(", state ").append(s.state());
        if (s.desired() != null && !s.desired().equals(s.active())) sb.append(", desired ").append(s.desired());
        if ("downloading".equals(s.state())) sb.append(String.format(" %.0f%%", s.progress() * 100));
        if (!s.previous().isEmpty()) sb.append(", rollback ").append(String.join(",", s.previous()));
        if (s.offlineSince() != null) sb.append(", OFFLINE since ").append(s.offlineSince());
        if (s.lastError() != null) sb.append(", last error: ").append(s.lastError());
        return sb.toString();
    }
}
