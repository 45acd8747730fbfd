package ai.appliance.runtime.model;

import ai.appliance.runtime.tensor.Tensor;
import java.util.List;

/**
 * Every weight of a model. {@code output} is the same tensor as {@code tokenEmbedding} when the
 * embeddings are tied.
 */
public record ModelWeights(Tensor tokenEmbedding, List<LayerWeights> layers, Tensor outputNorm, Tensor output) {
}
