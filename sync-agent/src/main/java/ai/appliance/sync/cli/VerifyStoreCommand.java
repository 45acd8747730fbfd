package ai.appliance.sync.cli;

import ai.appliance.sync.SyncException;
import ai.appliance.sync.publish.StoreCheck;
import ai.appliance.sync.store.StoreUris;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

@Command(name = "verify-store", mixinStandardHelpOptions = true,
        description = "Check that every chunk a manifest in the store names is there and hashes to its name; "
                + "with --repair, upload the missing or damaged ones again from --source.")
final class VerifyStoreCommand extends SyncSubcommand {
    @Parameters(index = "0", description = "Store URI (s3://bucket/prefix?endpoint=..&pathStyle=true, or a folder).")
    String store;

    @Option(names = "--repair", description = "Upload missing or damaged chunks found in the --source files.")
    boolean repair;

    @Option(names = "--source", description = "Model folder or file the damaged versions were published from (repeatable).")
    List<Path> sources = new ArrayList<>();

    @Option(names = "--parallel", defaultValue = "4", description = "Chunks checked at once (default ${DEFAULT-VALUE}).")
    int parallel;

    @Override
    int execute() throws IOException {
        if (repair && sources.isEmpty()) {
            throw new SyncException.UsageError("--repair needs --source: the model files to take the chunks from");
        }
        try (var s = StoreUris.open(store)) {
            var check = new StoreCheck(s, parallel);
            var report = check.check();
            report.unreadable().forEach(m -> out().println("unreadable manifest " + m));
            var repaired = repair ? check.repair(report.bad(), sources) : java.util.Set.<String>of();
            int left = 0;
            for (var b : report.bad()) {
                boolean fixed = repaired.contains(b.id());
                if (!fixed) left++;
                out().println("chunk " + b.id() + ": " + b.state().name().toLowerCase(java.util.Locale.ROOT)
                        + (fixed ? ", re-uploaded" : "") + " (used by " + String.join(", ", b.usedBy()) + ")");
            }
            out().printf("%s: %d manifests, %d chunks checked, %d missing or damaged, %d re-uploaded%n", s.describe(),
                    report.manifests(), report.chunksChecked(), report.bad().size(), repaired.size());
            if (left > 0 && !repair) out().println("repair: sync verify-store " + store + " --repair --source MODEL_FOLDER");
            return left == 0 && report.unreadable().isEmpty() ? 0 : 3;
        }
    }
}
