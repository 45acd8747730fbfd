package ai.appliance.runtime.model;

import ai.appliance.runtime.gguf.GgufFile;
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
    private final ModelConfig config;
    private final ModelWeights weights;
    private final GgufFile gguf;
    private final SafetensorsCheckpoint checkpoint;

    private ModelFiles(Path path, Format format, ModelConfig config, ModelWeights weights, GgufFile gguf, SafetensorsCheckpoint checkpoint) {
        this.path = path;
        this.format = format;
        this.config = config;
        this.weights = weights;
        this.gguf = gguf;
        this.checkpoint = checkpoint;
    }

    /**
     * Opens a {@code .gguf} file or a checkpoint folder.
     *
     * @throws ModelFormatException naming the file and the problem when it cannot be used
     */
    public static ModelFiles open(Path path) {
        if (Files.isDirectory(path)) return openCheckpoint(path);
        if (!Files.exists(path)) throw new ModelFormatException(path, "no such file or folder");
        var gguf = GgufFile.open(path);
        try {
            var config = GgufModelReader.config(gguf);
            return new ModelFiles(path, Format.GGUF, config, GgufModelReader.weights(gguf, config), gguf, null);
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
        var parsed = HfConfigReader.read(configJson);
        var checkpoint = SafetensorsCheckpoint.open(folder);
        try {
            // A checkpoint without lm_head ties the output projection to the embeddings, whatever the config says.
            var tied = parsed.tiedEmbeddings() || !checkpoint.tensors().containsKey(TensorNaming.HUGGING_FACE.output());
            var config = tied == parsed.tiedEmbeddings() ? parsed : withTied(parsed);
            var weights = new WeightsAssembler(folder, config, TensorNaming.HUGGING_FACE, checkpoint.tensors()::get).assemble();
            return new ModelFiles(folder, Format.HF_CHECKPOINT, config, weights, null, checkpoint);
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

    private static ModelConfig withTied(ModelConfig c) {
        return new ModelConfig(c.architecture(), c.vocabularySize(), c.embeddingLength(), c.feedForwardLength(), c.layerCount(),
                c.headCount(), c.keyValueHeadCount(), c.headDimension(), c.rmsNormEpsilon(), c.ropeTheta(), c.ropeStyle(),
                c.ropeScaling(), c.ropeFrequencyFactors(), c.contextLength(), true);
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
