package ai.appliance.runtime.serving;

import java.nio.file.Path;

/** Loads a model version from a file or folder (GGUF or safetensors checkpoint). */
@FunctionalInterface
public interface ModelLoader {

    /**
     * @throws ModelLoadException with a message naming the file and the problem
     */
    LoadedModel load(Path source, String name, String version);

    /** A model could not be loaded. */
    final class ModelLoadException extends RuntimeException {
        public ModelLoadException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
