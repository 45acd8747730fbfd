package ai.appliance.runtime.model;

import ai.appliance.runtime.tensor.Tensor;
import java.util.List;

/** Every weight of a loaded model, as its architecture's record holds them; this is what any caller may ask of them. */
public interface ModelWeights {

    Tensor tokenEmbedding();

    /** Every tensor of the model once, embedding first (a tensor in two roles, as tied embeddings, once). */
    List<Tensor> tensors();

    /** Every matrix a forward pass multiplies by (kernel warm-up, memory accounting). */
    List<Tensor> matrices();

    /**
     * Weight bytes one decode step reads for one token: every matrix it multiplies by (for mixture-of-experts layers,
     * only as many experts as a token uses) plus the embedding row. The base of bench's bandwidth figures.
     */
    long decodeBytesPerToken();
}
