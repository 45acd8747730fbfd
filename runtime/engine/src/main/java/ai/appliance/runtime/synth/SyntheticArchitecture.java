package ai.appliance.runtime.synth;

import ai.appliance.runtime.gguf.GgufWriter;
import ai.appliance.runtime.model.ModelConfig;

/** What synth needs of an architecture to write a random-weight GGUF of a model's exact shapes. */
public interface SyntheticArchitecture {

    /** Lists every tensor of a model with this config, with GGUF names. */
    void planSyntheticTensors(ModelConfig config, SyntheticTensors tensors);

    /** Writes general.* (architecture, name, size label, file type) and the {@code <arch>.*} hyper-parameters. */
    void writeGgufHyperParameters(GgufWriter writer, ModelConfig config, String name, String sizeLabel, int fileType);

    /** {@code tokenizer.ggml.pre} for a GGUF of this model (the pre-tokenizer its vocabulary uses). */
    String tokenizerPreset(ModelConfig config);

    /** The same config cut to {@code layers} blocks (for tests and quick demos). */
    ModelConfig withLayerCount(ModelConfig config, int layers);
}
