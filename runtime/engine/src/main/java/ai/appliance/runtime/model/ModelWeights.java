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

    /** {@code candidates} without nulls and with each tensor once (by identity), in order: for {@link #tensors()}. */
    static List<Tensor> distinct(List<Tensor> candidates) {
        var seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<Tensor, Boolean>());
        var all = new java.util.ArrayList<Tensor>();
        for (var t : candidates) {
            if (t != null && seen.add(t)) all.add(t);
        }
        return all;
    }
}
