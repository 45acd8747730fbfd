package ai.appliance.provisioning.cli;

import ai.appliance.common.OutputFile;
import ai.appliance.common.ProgressBar;
import ai.appliance.provisioning.weights.DeviceDataKey;
import ai.appliance.provisioning.weights.EncryptedModelFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;

@Command(name = "encrypt-model", mixinStandardHelpOptions = true,
        description = "Encrypt a model file at rest (AES-256-GCM segments) with this device's data key.")
final class EncryptModelCommand extends ProvisionStep {

    @Option(names = "--device-dir", required = true, description = "Enrolled device folder (data-key.wrapped is made there).")
    Path deviceDir;
    @Option(names = "--in", required = true) Path in;
    @Option(names = "--out", required = true) Path out;
    @Option(names = "--force", description = "Replace --out if it exists.") boolean force;
    @Option(names = "--segment-kib", defaultValue = "256", description = "Plaintext per segment, 4..65536 KiB.")
    int segmentKib;
    @Option(names = "--threads", description = "Worker threads (default: all cores).") Integer threads;

    @Override
    protected int execute() throws Exception {
        if (segmentKib < 4 || segmentKib > 65536) throw new IllegalArgumentException("--segment-kib must be 4..65536");
        if (!Files.isRegularFile(in)) throw new IllegalArgumentException(in + " is not a file");
        OutputFile.requireReplaceable(out, force);
        var key = DeviceDataKey.loadOrCreate(deviceDir);
        try (var bar = ProgressBar.bytes(System.err, "encrypt", Files.size(in))) {
            EncryptedModelFile.encrypt(in, out, key.key(), key.wrapped(), segmentKib << 10,
                    threads != null ? threads : Runtime.getRuntime().availableProcessors(), bar);
        }
        out().printf("wrote %s (%d bytes) for device key %s...%n", out, Files.size(out),
                key.wrapped().recipientKeyIdHex().substring(0, 16));
        return 0;
    }
}
