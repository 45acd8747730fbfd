package ai.appliance.sync.cli;

import ai.appliance.sync.agent.SyncAgent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "verify", mixinStandardHelpOptions = true, description = "Re-hash the active version of every model against its signed manifest. "
        + "Exit 3 when files are damaged, 1 when a model has no active version to verify.")
final class VerifyCommand extends SyncSubcommand {
    @Mixin StoreRootOption where;

    @Override
    int execute() {
        try (var agent = SyncAgent.builder().config(where.localConfig()).build()) {
            int damaged = 0;
            int missing = 0;
            var results = agent.verify();
            for (var state : agent.status()) {
                var problems = results.getOrDefault(state.model(), java.util.List.of());
                if (state.active() == null) {
                    // Nothing to re-hash is not "intact": a first sync that was killed leaves exactly this.
                    missing++;
                    out().println(state.model() + ": no active version (nothing installed yet, or the first sync did not"
                            + " finish); run 'sync run' to install one");
                } else if (problems.isEmpty()) {
                    out().println(state.model() + ": " + state.active() + " intact");
                } else {
                    damaged++;
                    problems.forEach(p -> out().println(state.model() + ": " + p));
                }
            }
            return damaged > 0 ? 3 : missing > 0 ? 1 : 0;
        }
    }
}
