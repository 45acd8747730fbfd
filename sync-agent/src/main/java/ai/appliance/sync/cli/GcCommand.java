package ai.appliance.sync.cli;

import ai.appliance.common.ProgressBar;
import ai.appliance.sync.agent.SyncAgent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "gc", mixinStandardHelpOptions = true,
        description = "Delete versions beyond the kept rollback ones and cached chunks no kept version uses.")
final class GcCommand extends SyncSubcommand {
    @Mixin StoreRootOption where;

    @Override
    int execute() {
        try (var agent = SyncAgent.builder().config(where.localConfig()).build()) {
            out().println("freed " + ProgressBar.human(agent.gc()) + " of cached chunks");
            return 0;
        }
    }
}
