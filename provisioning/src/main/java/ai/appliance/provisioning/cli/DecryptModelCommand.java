package ai.appliance.provisioning.cli;

import ai.appliance.common.OutputFile;
import ai.appliance.common.ProgressBar;
import ai.appliance.provisioning.pki.DeviceCredentials;
import ai.appliance.provisioning.weights.DataKeyProvider;
import ai.appliance.provisioning.weights.EncryptedModelFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;

@Command(name = "decrypt-model", mixinStandardHelpOptions = true,
        description = "Decrypt an encrypted model to a file (streaming; the file appears only if every segment verifies).")
final class DecryptModelCommand extends ProvisionStep {

    @Option(names = "--device-dir", required = true) Path deviceDir;
    @Option(names = "--in", required = true) Path in;
    @Option(names = "--out", required = true) Path out;
    @Option(names = "--force", description = "Replace --out if it exists.") boolean force;
    @Option(names = "--threads", description = "Worker threads (default: all cores).") Integer threads;

    @Override
    protected int execute() {
        OutputFile.requireReplaceable(out, force);
        var header = EncryptedModelFile.readHeader(in);
        try (var bar = ProgressBar.bytes(System.err, "decrypt", header.plaintextLength())) {
            EncryptedModelFile.decryptToFile(in, out, DataKeyProvider.forDevice(new DeviceCredentials(deviceDir)),
                    threads != null ? threads : Runtime.getRuntime().availableProcessors(), bar);
        }
        out().printf("wrote %s (%d bytes, %d segments verified)%n", out, header.plaintextLength(),
                header.segmentCount());
        return 0;
    }
}
