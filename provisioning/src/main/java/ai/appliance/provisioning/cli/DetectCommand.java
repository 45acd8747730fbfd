package ai.appliance.provisioning.cli;

import ai.appliance.provisioning.hardware.HardwareDetector;
import ai.appliance.provisioning.hardware.LocalSystemProbe;
import ai.appliance.provisioning.json.JsonFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;

@Command(name = "detect", mixinStandardHelpOptions = true,
        description = "Print a JSON hardware report: CPU, RAM, free disk, NVIDIA GPUs, Jetson.")
final class DetectCommand extends ProvisionStep {

    @Option(names = "--data-dir", defaultValue = ".", description = "Folder whose free space counts (models go there).")
    Path dataDir;

    @Option(names = "--out", description = "Write the report to this file instead of stdout.")
    Path out;

    @Override
    protected int execute() {
        var report = new HardwareDetector(new LocalSystemProbe()).detect(dataDir);
        if (out != null) {
            JsonFiles.write(out, report);
            err().println("wrote " + out);
        } else {
            out().print(JsonFiles.write(report));
        }
        return 0;
    }
}
