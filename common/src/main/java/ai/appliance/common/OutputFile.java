package ai.appliance.common;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The rule for commands that write a large file (a model, an encrypted model): an existing file is
 * replaced only when the operator says so with {@code --force}. A mistyped {@code --out} must not
 * silently replace the model a site runs on.
 */
public final class OutputFile {

    private OutputFile() {
    }

    /**
     * @throws IllegalArgumentException naming {@code out} and {@code --force} when it exists and
     *                                  {@code force} is false, or when it is a folder
     */
    public static void requireReplaceable(Path out, boolean force) {
        if (Files.isDirectory(out)) {
            throw new IllegalArgumentException(out + " is a folder; give a file name");
        }
        if (Files.exists(out) && !force) {
            throw new IllegalArgumentException(out + " exists; pass --force to replace it");
        }
    }
}
