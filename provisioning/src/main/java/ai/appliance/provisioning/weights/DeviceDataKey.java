package ai.appliance.provisioning.weights;

import ai.appliance.provisioning.pki.DeviceCredentials;
import ai.appliance.provisioning.pki.Pem;
import ai.appliance.provisioning.pki.SecureFiles;

import javax.crypto.SecretKey;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The device's data key, kept wrapped to its device key in {@code data-key.wrapped} (PEM block
 * "APPLIANCE WRAPPED DATA KEY" around {@link WrappedDataKey#encode()}) beside the device credentials.
 */
public record DeviceDataKey(SecretKey key, WrappedDataKey wrapped) {

    public static final String PEM_TYPE = "APPLIANCE WRAPPED DATA KEY";

    public static Path file(Path deviceDir) {
        return deviceDir.resolve("data-key.wrapped");
    }

    /** Loads the device's data key, or makes one and wraps it to the device certificate's key. */
    public static DeviceDataKey loadOrCreate(Path deviceDir) {
        var device = new DeviceCredentials(deviceDir);
        var file = file(deviceDir);
        var publicKey = device.certificate().getPublicKey();
        if (Files.exists(file)) {
            var wrapped = WrappedDataKey.decode(Pem.decodeOne(SecureFiles.readString(file), PEM_TYPE, file),
                    file.toString());
            return new DeviceDataKey(DataKeys.unwrap(wrapped, device.privateKey(), publicKey), wrapped);
        }
        var key = DataKeys.generate();
        var wrapped = DataKeys.wrap(key, publicKey);
        SecureFiles.writePrivate(file, Pem.encode(PEM_TYPE, wrapped.encode()).getBytes());
        return new DeviceDataKey(key, wrapped);
    }
}
