package ai.appliance.provisioning.weights;

import ai.appliance.provisioning.pki.DeviceCredentials;

import javax.crypto.SecretKey;
import java.security.PrivateKey;
import java.security.PublicKey;

/**
 * Turns the wrapped data key in an encrypted model's header into the AES key. The runtime passes
 * {@link #forDevice(DeviceCredentials)}; tests may pass a fixed key.
 */
@FunctionalInterface
public interface DataKeyProvider {

    SecretKey unwrap(WrappedDataKey wrapped);

    /** Unwraps with this device's key (device-key.pem and the public key of device-cert.pem). */
    static DataKeyProvider forDevice(DeviceCredentials device) {
        PrivateKey key = device.privateKey();
        PublicKey publicKey = device.certificate().getPublicKey();
        return wrapped -> DataKeys.unwrap(wrapped, key, publicKey);
    }

    static DataKeyProvider forKeyPair(PrivateKey key, PublicKey publicKey) {
        return wrapped -> DataKeys.unwrap(wrapped, key, publicKey);
    }
}
