package ai.appliance.provisioning.cli;

import ai.appliance.provisioning.hardware.HardwareDetector;
import ai.appliance.provisioning.hardware.HardwareReport;
import ai.appliance.provisioning.hardware.LocalSystemProbe;
import ai.appliance.provisioning.json.JsonFiles;
import ai.appliance.provisioning.plan.ModelCatalog;
import ai.appliance.provisioning.plan.NoFittingModelException;
import ai.appliance.provisioning.plan.Planner;
import ai.appliance.provisioning.plan.Profile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;

@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Choose profile, model, format, parallelism, context and batch for a hardware report "
                + "(docs/provisioning.md explains the table).")
final class PlanCommand extends ProvisionStep {

    @Option(names = "--report", description = "Hardware report from `provision detect`; detects this box when absent.")
    Path report;

    @Option(names = "--profile", description = "dev, edge or production; chosen from the hardware when absent.")
    String profile;

    @Option(names = "--out", description = "Write plan.json here instead of stdout.")
    Path out;

    @Override
    protected int execute() {
        HardwareReport hardware = report != null ? JsonFiles.read(report, HardwareReport.class)
                : new HardwareDetector(new LocalSystemProbe()).detect(Path.of("."));
        var planner = new Planner(ModelCatalog.deepSeekR1());
        try {
            var plan = profile == null ? planner.plan(hardware) : planner.plan(hardware, Profile.byName(profile));
            if (out != null) {
                JsonFiles.write(out, plan);
                err().printf("wrote %s: %s %s on %s (TP %d x %d), context %d, batch %d%n", out, plan.model(),
                        plan.quantization(), plan.backend(), plan.tensorParallel(), plan.replicas(),
                        plan.contextLength(), plan.maxSequences());
            } else {
                out().print(JsonFiles.write(plan));
            }
            return 0;
        } catch (NoFittingModelException e) {
            throw new IllegalStateException((report != null ? report + ": " : "") + e.getMessage(), e);
        }
    }
}
