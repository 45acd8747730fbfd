package ai.appliance.runtime.model;

import java.nio.file.Path;

/**
 * A model file (GGUF, safetensors, config.json) or checkpoint folder that cannot be used: missing,
 * truncated, corrupt, inconsistent, or of a kind this runtime does not run. The message names the
 * file and the problem so that an operator can act on it; readers throw nothing else on bad input.
 */
public class ModelFormatException extends RuntimeException {
    private final transient Path file;
    private final String problem;

    public ModelFormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
        this.problem = problem;
    }

    public ModelFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
        this.problem = problem;
    }

    /** The file or folder at fault. */
    public Path file() {
        return file;
    }

    /** What is wrong with it, without the path. */
    public String problem() {
        return problem;
    }
}
