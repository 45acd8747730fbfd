package ai.appliance.provisioning.weights;

/**
 * An encrypted model file that is not one, was made for another device key, or fails authentication
 * (a flipped byte, reordered or missing segments). Nothing decrypted from such a file may be used.
 */
public class EncryptedModelException extends RuntimeException {
    public EncryptedModelException(String message) {
        super(message);
    }

    public EncryptedModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
