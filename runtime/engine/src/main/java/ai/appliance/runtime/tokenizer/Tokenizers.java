package ai.appliance.runtime.tokenizer;

import ai.appliance.runtime.gguf.GgufFile;
import ai.appliance.runtime.model.ModelFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Loads the tokenizer of a model: a GGUF file or a Hugging Face checkpoint folder. */
public final class Tokenizers {
    private Tokenizers() {
    }

    /**
     * @param modelPath a {@code .gguf} file or a folder holding {@code tokenizer.json}
     * @throws ModelFormatException naming the file when it is missing or its tokenizer cannot be used
     */
    public static Tokenizer load(Path modelPath) {
        if (Files.isDirectory(modelPath)) return HfTokenizerJson.load(modelPath);
        if (!Files.isRegularFile(modelPath)) {
            throw new ModelFormatException(modelPath, "not found (expected a .gguf file or a checkpoint folder)");
        }
        try (var gguf = GgufFile.open(modelPath)) {
            return fromGguf(modelPath, gguf.metadata());
        }
    }

    /** The tokenizer of an already opened GGUF file's metadata; {@code file} is named in errors. */
    public static Tokenizer fromGguf(Path file, Map<String, Object> metadata) {
        try {
            return GgufVocabulary.fromMetadata(metadata);
        } catch (TokenizerException e) {
            throw new ModelFormatException(file, e.getMessage(), e);
        }
    }
}
