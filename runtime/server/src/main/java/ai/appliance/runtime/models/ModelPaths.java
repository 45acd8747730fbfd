package ai.appliance.runtime.models;

import ai.appliance.runtime.serving.ModelLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Finds the model inside a store version folder: one {@code .gguf} file, or the folder as a checkpoint. */
public final class ModelPaths {

    private ModelPaths() {
    }

    public static Path modelIn(Path folder) {
        if (!Files.isDirectory(folder)) {
            return folder;
        }
        if (Files.isRegularFile(folder.resolve("config.json"))) {
            return folder;
        }
        List<Path> ggufs;
        try (var files = Files.list(folder)) {
            ggufs = files.filter(p -> p.getFileName().toString().endsWith(".gguf")).sorted().toList();
        } catch (IOException e) {
            throw new ModelLoader.ModelLoadException("cannot list " + folder + ": " + e.getMessage(), e);
        }
        if (ggufs.size() != 1) {
            throw new ModelLoader.ModelLoadException(folder + ": expected one .gguf file or a checkpoint (config.json),"
                    + " found " + ggufs.size() + " .gguf files", null);
        }
        return ggufs.getFirst();
    }
}
