package ai.appliance.sync.cli;

import ai.appliance.sync.agent.SyncAgent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "verify", mixinStandardHelpOptions = true, description = "Re-hash the active version of every model against its signed manifest.")
final class VerifyCommand extends SyncSubcommand {
    @Mixin StoreRootOption where;

    @Override
    int execute() {
        try (var agent = SyncAgent.builder().config(where.localConfig()).build()) {
            int bad = 0;
            for (var e : agent.verify().entrySet()) {
                if (e.getValue().isEmpty()) {
                    out().println(e.getKey() + ": intact");
                } else {
                    bad++;
                    e.getValue().forEach(p -> out().println(e.getKey() + ": " + p));
                }
            }
            return bad == 0 ? 0 : 3;
        }
    }
}
