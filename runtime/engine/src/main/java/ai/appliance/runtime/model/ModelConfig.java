package ai.appliance.runtime.model;

/**
 * The hyper-parameters every architecture has, whatever file they came from. Each architecture's own config
 * record (in its {@code arch} package) implements this and carries the rest.
 */
public interface ModelConfig {

    /** The architecture as the model file names it, e.g. "qwen2", "llama", "deepseek2". */
    String architecture();

    int vocabularySize();

    /** Width of the residual stream (hidden size). */
    int embeddingLength();

    int layerCount();

    /** The model's maximum context (max_position_embeddings / context_length). */
    int contextLength();

    /** Bytes of KV cache one position of one sequence takes, over all layers, as the engine stores it (F32). */
    long kvCacheBytesPerToken();

    /** Every hyper-parameter by name, in a stable order, for {@code inspect}. */
    java.util.Map<String, Object> describe();
}
