package ai.appliance.sync.cli;

import ai.appliance.sync.SyncException;
import ai.appliance.sync.agent.SyncAgent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = "Switch a model back to its newest kept earlier version; the current one is marked bad until a newer release.")
final class RollbackCommand extends SyncSubcommand {
    @Mixin StoreRootOption where;
    @Option(names = "--reason", defaultValue = "rolled back by operator") String reason;
    @Option(names = "--name", required = true, description = "Model to roll back.") String name;

    @Override
    int execute() {
        try (var agent = SyncAgent.builder().config(where.localConfig()).build()) {
            var m = agent.model(name).orElseThrow(() -> new SyncException.UsageError("model " + name + " is not configured in " + where.storeRoot));
            var s = m.rollback(reason);
            out().println(StatusCommand.line(s));
            return 0;
        }
    }
}
