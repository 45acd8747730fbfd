package ai.appliance.provisioning.weights;

import ai.appliance.runtime.model.ModelFormatException;
import ai.appliance.runtime.model.WeightSource;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * The engine's {@link WeightSource} for models that may be encrypted at rest: an encrypted GGUF is authenticated and
 * decrypted with the device's data key; a plain file is left to the engine to memory-map. Without keys, an encrypted
 * file is refused with a message that says how to open it.
 */
public final class EncryptedWeightSource implements WeightSource {
    private final DataKeyProvider keys;

    private EncryptedWeightSource(DataKeyProvider keys) {
        this.keys = keys;
    }

    /** Decrypts with {@code keys} (e.g. {@link DataKeyProvider#forDevice}). */
    public static EncryptedWeightSource withKeys(DataKeyProvider keys) {
        return new EncryptedWeightSource(keys);
    }

    /** Opens plain files only, and names the missing credentials for an encrypted one. */
    public static EncryptedWeightSource withoutKeys() {
        return new EncryptedWeightSource(null);
    }

    @Override
    public MemorySegment plaintext(Path file, Arena arena) {
        if (!EncryptedModelFile.isEncrypted(file)) return null;
        if (keys == null) {
            throw new ModelFormatException(file, "encrypted at rest: open it with the device's credentials "
                    + "(--device-dir of the enrolled device)");
        }
        try {
            return EncryptedModelFile.decrypt(file, keys, arena, Runtime.getRuntime().availableProcessors(), b -> { });
        } catch (EncryptedModelException e) {
            var message = e.getMessage();
            throw new ModelFormatException(file, message.startsWith(file.toString())
                    ? message.substring(file.toString().length()).replaceFirst("^[:\\s]+", "") : message, e);
        }
    }
}
