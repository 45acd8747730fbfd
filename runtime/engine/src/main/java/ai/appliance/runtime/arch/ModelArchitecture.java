package ai.appliance.runtime.arch;

import ai.appliance.runtime.backend.Backend;
import ai.appliance.runtime.engine.LanguageModel;
import ai.appliance.runtime.gguf.GgufFile;
import ai.appliance.runtime.gguf.GgufWriter;
import ai.appliance.runtime.model.ModelConfig;
import ai.appliance.runtime.model.ModelTensors;
import ai.appliance.runtime.model.ModelWeights;
import ai.appliance.runtime.synth.SyntheticModelSpec;
import ai.appliance.runtime.synth.SyntheticArchitecture;
import ai.appliance.runtime.tensor.GgmlType;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;

/**
 * One transformer family the engine runs, with everything that differs between families: the config keys it reads
 * (GGUF {@code <arch>.*} and Hugging Face config.json), its tensor names and shapes, its forward pass, and how its
 * GGUF files are written (quantize, synth). Each family lives in its own package under {@code arch}; nothing outside
 * that package branches on the architecture. {@link ArchitectureRegistry} finds a family by the name a file gives.
 */
public interface ModelArchitecture extends SyntheticArchitecture {

    /** The family's name, e.g. "llama" (Llama-3 and Qwen2) or "deepseek2" (DeepSeek-V2/V3/R1). */
    String name();

    /** Values of GGUF {@code general.architecture} this family reads, e.g. "llama", "qwen2". */
    List<String> ggufNames();

    /** Hugging Face {@code architectures[0]} and {@code model_type} values this family reads. */
    List<String> huggingFaceNames();

    /**
     * Hyper-parameters from a GGUF file's metadata (and, where a family keeps them there, small tensors).
     *
     * @throws ai.appliance.runtime.model.ModelFormatException naming the file and key when a value is missing or wrong
     */
    ModelConfig ggufConfig(GgufFile gguf);

    /**
     * Hyper-parameters from a checkpoint's config.json, already parsed; {@code tensorNames} are the checkpoint's
     * tensors (some configs leave facts such as tied embeddings to the tensors present).
     */
    ModelConfig huggingFaceConfig(Path configJson, JsonNode root, java.util.Set<String> tensorNames);

    /**
     * Every weight of a model with this config, checked against the shapes the config implies.
     *
     * @throws ai.appliance.runtime.model.ModelFormatException naming the tensor that is missing or has a wrong shape
     */
    ModelWeights weights(ModelConfig config, ModelTensors tensors);

    /** The forward pass over {@code weights}, computing through {@code backend} (which it then owns). */
    LanguageModel newModel(ModelConfig config, ModelWeights weights, Backend backend);

    /**
     * Plans a GGUF file of an opened Hugging Face checkpoint into {@code writer}: metadata as llama.cpp's converter
     * writes it and every weight, matrices encoded as {@code matrixType}. The checkpoint stays open until written.
     *
     * @throws ai.appliance.runtime.model.ModelFormatException when a tensor cannot be converted or the type is not
     *                                                         one this architecture writes
     */
    void planGgufFromCheckpoint(ModelConfig config, ModelTensors checkpoint, GgufWriter writer, GgmlType matrixType);

    /** The random-weight models of this family that {@code synth} writes. */
    List<SyntheticModelSpec> syntheticModels();
}
