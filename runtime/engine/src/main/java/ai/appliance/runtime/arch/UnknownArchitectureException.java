package ai.appliance.runtime.arch;

import ai.appliance.runtime.model.ModelFormatException;
import java.nio.file.Path;
import java.util.List;

/** A model file names an architecture this engine does not run. */
public final class UnknownArchitectureException extends ModelFormatException {
    private final String architecture;

    public UnknownArchitectureException(Path file, String architecture, List<String> supported) {
        super(file, "architecture '" + (architecture == null || architecture.isEmpty() ? "(none given)" : architecture)
                + "' is not supported; supported: " + String.join(", ", supported));
        this.architecture = architecture;
    }

    /** The name the file gave. */
    public String architecture() {
        return architecture;
    }
}
