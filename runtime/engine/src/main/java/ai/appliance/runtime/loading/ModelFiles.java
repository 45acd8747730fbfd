package ai.appliance.runtime.loading;

import ai.appliance.runtime.arch.ModelArchitecture;
import ai.appliance.runtime.gguf.GgufFile;
import ai.appliance.runtime.model.ModelConfig;
import ai.appliance.runtime.model.ModelFormatException;
import ai.appliance.runtime.model.ModelTensors;
import ai.appliance.runtime.model.ModelWeights;
import ai.appliance.runtime.model.WeightSource;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import ai.appliance.runtime.safetensors.SafetensorsCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An opened model: a GGUF file or a Hugging Face checkpoint folder ({@code config.json} plus
 * safetensors weights), with its config and memory-mapped weights. Close it to unmap the weights;
 * they must not be used afterwards.
 *
 * <p>For tokenizer loading: {@link #gguf()} gives the GGUF metadata (tokenizer.ggml.*) of a GGUF
 * model; {@link #checkpointFolder()} the folder holding tokenizer.json of a checkpoint.
 */
public final class ModelFiles implements AutoCloseable {
    public enum Format { GGUF, HF_CHECKPOINT }

    private final Path path;
    private final Format format;
    private final ModelArchitecture architecture;
    private final ModelConfig config;
    private final ModelWeights weights;
    private final GgufFile gguf;
    private final SafetensorsCheckpoint checkpoint;

    private ModelFiles(Path path, Format format, ModelArchitecture architecture, ModelConfig config, ModelWeights weights,
                       GgufFile gguf, SafetensorsCheckpoint checkpoint) {
        this.path = path;
        this.format = format;
        this.architecture = architecture;
        this.config = config;
        this.weights = weights;
        this.gguf = gguf;
        this.checkpoint = checkpoint;
    }

    /**
     * Opens a plain {@code .gguf} file or a checkpoint folder.
     *
     * @throws ModelFormatException naming the file and the problem when it cannot be used
     */
    public static ModelFiles open(Path path) {
        return open(path, WeightSource.PLAIN_FILES);
    }

    /**
     * Opens a {@code .gguf} file or a checkpoint folder whose GGUF bytes may come from {@code source} (a model
     * encrypted at rest is decrypted there into off-heap memory, its full size rather than page cache: see
     * docs/provisioning.md, "Encrypted models").
     *
     * @throws ModelFormatException naming the file and the problem when it cannot be used
     */
    public static ModelFiles open(Path path, WeightSource source) {
        if (Files.isDirectory(path)) return openCheckpoint(path);
        if (!Files.exists(path)) throw new ModelFormatException(path, "no such file or folder");
        var arena = Arena.ofShared(); // shared: the engine's threads read the plaintext
        MemorySegment plain;
        try {
            plain = source.plaintext(path, arena);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
        if (plain == null) {
            arena.close();
            return openGguf(path, GgufFile.open(path));
        }
        return openGguf(path, GgufFile.fromMemory(path, arena, plain));
    }

    private static ModelFiles openGguf(Path path, GgufFile gguf) {
        try {
            var name = gguf.has("general.architecture") ? gguf.getString("general.architecture") : "";
            var architecture = ArchitectureRegistry.standard().forGguf(path, name);
            var config = architecture.ggufConfig(gguf);
            var weights = architecture.weights(config, new ModelTensors(path, true, gguf.tensors()));
            return new ModelFiles(path, Format.GGUF, architecture, config, weights, gguf, null);
        } catch (RuntimeException e) {
            gguf.close();
            throw e;
        }
    }

    private static ModelFiles openCheckpoint(Path folder) {
        var configJson = folder.resolve("config.json");
        if (!Files.isRegularFile(configJson)) {
            throw new ModelFormatException(folder, "not a model: neither a GGUF file nor a folder with config.json"
                    + ggufHint(folder));
        }
        var root = CheckpointConfig.readJson(configJson);
        var architecture = ArchitectureRegistry.standard().forHuggingFace(configJson, CheckpointConfig.architectureName(root));
        var checkpoint = SafetensorsCheckpoint.open(folder);
        try {
            var config = architecture.huggingFaceConfig(configJson, root, checkpoint.tensors().keySet());
            var weights = architecture.weights(config, new ModelTensors(folder, false, checkpoint.tensors()));
            return new ModelFiles(folder, Format.HF_CHECKPOINT, architecture, config, weights, null, checkpoint);
        } catch (RuntimeException e) {
            checkpoint.close();
            throw e;
        }
    }

    /** Names the GGUF files in a folder that was given instead of one of them. */
    private static String ggufHint(Path folder) {
        try (var files = Files.list(folder)) {
            var ggufs = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".gguf")).sorted().limit(5).toList();
            return ggufs.isEmpty() ? "" : " (did you mean one of its GGUF files: " + String.join(", ", ggufs) + "?)";
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return "";
        }
    }

    /** The architecture family that reads this model. */
    public ModelArchitecture architecture() {
        return architecture;
    }

    /** The model's tensors by their names in its format (GGUF or Hugging Face). */
    public ModelTensors tensors() {
        return new ModelTensors(path, format == Format.GGUF, format == Format.GGUF ? gguf.tensors() : checkpoint.tensors());
    }

    /** The file or folder that was opened. */
    public Path path() {
        return path;
    }

    public Format format() {
        return format;
    }

    public ModelConfig config() {
        return config;
    }

    public ModelWeights weights() {
        return weights;
    }

    /** The GGUF file (metadata incl. tokenizer.ggml.*), or null for a checkpoint folder. */
    public GgufFile gguf() {
        return gguf;
    }

    /** The checkpoint folder (with tokenizer.json, tokenizer_config.json), or null for a GGUF file. */
    public Path checkpointFolder() {
        return format == Format.HF_CHECKPOINT ? path : null;
    }

    /** The safetensors weights of a checkpoint folder, or null for a GGUF file. */
    public SafetensorsCheckpoint checkpoint() {
        return checkpoint;
    }

    @Override
    public void close() {
        if (gguf != null) gguf.close();
        if (checkpoint != null) checkpoint.close();
    }
}
