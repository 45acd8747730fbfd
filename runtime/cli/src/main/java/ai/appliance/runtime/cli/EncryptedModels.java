package ai.appliance.runtime.cli;

import ai.appliance.provisioning.pki.DeviceCredentials;
import ai.appliance.provisioning.weights.DataKeyProvider;
import ai.appliance.provisioning.weights.EncryptedWeightSource;
import ai.appliance.runtime.loading.ModelFiles;
import java.nio.file.Path;

/**
 * Opens the --model of a command, decrypting it with the enrolled device's key when --device-dir is given; without
 * it, an encrypted model is refused with a message naming the option.
 */
final class EncryptedModels {
    private EncryptedModels() {
    }

    static ModelFiles open(Path model, Path deviceDir) {
        var source = deviceDir == null ? EncryptedWeightSource.withoutKeys()
                : EncryptedWeightSource.withKeys(DataKeyProvider.forDevice(new DeviceCredentials(deviceDir)));
        return ModelFiles.open(model, source);
    }

    static ModelFiles open(Path model) {
        return open(model, null);
    }
}
