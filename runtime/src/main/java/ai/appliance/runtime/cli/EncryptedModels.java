package ai.appliance.runtime.cli;

import ai.appliance.provisioning.pki.DeviceCredentials;
import ai.appliance.provisioning.weights.DataKeyProvider;
import ai.appliance.runtime.model.ModelFiles;
import java.nio.file.Path;

/** Opens the --model of a command, decrypting it with the enrolled device's key when --device-dir is given. */
final class EncryptedModels {
    private EncryptedModels() {
    }

    static ModelFiles open(Path model, Path deviceDir) {
        if (deviceDir == null) return ModelFiles.open(model);
        return ModelFiles.open(model, DataKeyProvider.forDevice(new DeviceCredentials(deviceDir)));
    }
}
