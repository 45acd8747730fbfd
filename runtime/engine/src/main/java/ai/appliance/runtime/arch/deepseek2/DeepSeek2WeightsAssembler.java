package ai.appliance.runtime.arch.deepseek2;

import ai.appliance.runtime.arch.deepseek2.DeepSeek2Config.Selection;
import ai.appliance.runtime.arch.deepseek2.DeepSeek2TensorNames.ExpertMatrix;
import ai.appliance.runtime.arch.deepseek2.DeepSeek2TensorNames.Layer;
import ai.appliance.runtime.model.ModelFormatException;
import ai.appliance.runtime.model.ModelTensors;
import ai.appliance.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Gathers a DeepSeek model's tensors by name into {@link DeepSeek2Weights}, checking that each is present and has
 * exactly the shape the config implies, so that a rank, head size or expert count that disagrees with the file is
 * refused at load with a message naming the tensor. Tensor types are not checked: the backend multiplies whatever
 * types it supports (F8 checkpoints included). Names ending in {@code _scale_inv} (FP8 block scales) are never
 * looked up as weights.
 *
 * <p>GGUF stacks the experts of a layer into 3-D tensors [experts, rows, columns] with experts outermost, so each
 * expert is a contiguous run of bytes: a 2-D {@link Tensor} view of that slice serves as its matrix, nothing is copied.
 */
final class DeepSeek2WeightsAssembler {
    private final DeepSeek2Config c;
    private final ModelTensors tensors;
    private final DeepSeek2TensorNames names;

    DeepSeek2WeightsAssembler(DeepSeek2Config config, ModelTensors tensors) {
        this.c = config;
        this.tensors = tensors;
        this.names = tensors.gguf() ? DeepSeek2TensorNames.GGUF : DeepSeek2TensorNames.HUGGING_FACE;
    }

    DeepSeek2Weights assemble() {
        long hidden = c.embeddingLength();
        var embedding = tensors.required(names.embedding(), c.vocabularySize(), hidden);
        var outputNorm = tensors.required(names.outputNorm(), hidden);
        var output = c.tiedEmbeddings() ? embedding : tensors.required(names.output(), c.vocabularySize(), hidden);
        var layers = new ArrayList<DeepSeek2LayerWeights>(c.layerCount());
        for (int i = 0; i < c.layerCount(); i++) layers.add(layer(i));
        return new DeepSeek2Weights(embedding, List.copyOf(layers), outputNorm, output, c.expertsPerToken());
    }

    private DeepSeek2LayerWeights layer(int i) {
        long hidden = c.embeddingLength();
        long heads = c.headCount();
        long queryWidth = heads * c.queryHeadDim();
        var attentionNorm = tensors.required(names.layer(i, Layer.ATTENTION_NORM), hidden);
        Tensor queryA = null, queryANorm = null, queryB = null, query = null;
        if (c.hasQueryLora()) {
            queryA = tensors.required(names.layer(i, Layer.Q_A), c.queryLoraRank(), hidden);
            queryANorm = tensors.required(names.layer(i, Layer.Q_A_NORM), c.queryLoraRank());
            queryB = tensors.required(names.layer(i, Layer.Q_B), queryWidth, c.queryLoraRank());
        } else {
            if (!tensors.has(names.layer(i, Layer.Q)) && tensors.has(names.layer(i, Layer.Q_A))) {
                throw new ModelFormatException(tensors.file(), "tensor '" + names.layer(i, Layer.Q) + "' is missing: the file has '"
                        + names.layer(i, Layer.Q_A) + "' (a q LoRA) but its hyper-parameters give no q LoRA rank");
            }
            query = tensors.required(names.layer(i, Layer.Q), queryWidth, hidden);
        }
        var kvAMqa = tensors.required(names.layer(i, Layer.KV_A_MQA), c.latentWidth(), hidden);
        var kvANorm = tensors.required(names.layer(i, Layer.KV_A_NORM), c.kvLoraRank());
        Tensor kvB = null, kB = null, vB = null;
        boolean split = tensors.gguf() && !tensors.has(names.layer(i, Layer.KV_B))
                && (tensors.has(names.layer(i, Layer.K_B)) || tensors.has(names.layer(i, Layer.V_B)));
        if (split) {
            kB = tensors.required(names.layer(i, Layer.K_B), heads, c.kvLoraRank(), c.qkNopeHeadDim());
            vB = tensors.required(names.layer(i, Layer.V_B), heads, c.valueHeadDim(), c.kvLoraRank());
        } else {
            kvB = tensors.required(names.layer(i, Layer.KV_B), heads * (c.qkNopeHeadDim() + c.valueHeadDim()), c.kvLoraRank());
        }
        var attentionOutput = tensors.required(names.layer(i, Layer.ATTENTION_OUTPUT), hidden, heads * c.valueHeadDim());
        var ffnNorm = tensors.required(names.layer(i, Layer.FFN_NORM), hidden);
        if (!c.isMoeLayer(i)) {
            long ffn = c.feedForwardLength();
            return new DeepSeek2LayerWeights(attentionNorm, queryA, queryANorm, queryB, query, kvAMqa, kvANorm, kvB, kB, vB,
                    attentionOutput, ffnNorm,
                    tensors.required(names.layer(i, Layer.GATE), ffn, hidden),
                    tensors.required(names.layer(i, Layer.UP), ffn, hidden),
                    tensors.required(names.layer(i, Layer.DOWN), hidden, ffn),
                    null, null, List.of(), List.of(), null, null, null);
        }
        // Experts before the router: an expert count that disagrees with the file names the expert tensors.
        var experts = new ArrayList<DeepSeek2Expert>(c.expertCount());
        var stored = new ArrayList<Tensor>();
        long experts3 = c.expertCount();
        long eff = c.expertFeedForwardLength();
        if (tensors.gguf()) {
            var gates = tensors.required(names.layer(i, Layer.EXPERT_GATE), experts3, eff, hidden);
            var ups = tensors.required(names.layer(i, Layer.EXPERT_UP), experts3, eff, hidden);
            var downs = tensors.required(names.layer(i, Layer.EXPERT_DOWN), experts3, hidden, eff);
            stored.addAll(List.of(gates, ups, downs));
            for (int e = 0; e < c.expertCount(); e++) {
                experts.add(new DeepSeek2Expert(TensorViews.matrix(gates, e), TensorViews.matrix(ups, e), TensorViews.matrix(downs, e)));
            }
        } else {
            var extra = names.expert(i, c.expertCount(), ExpertMatrix.GATE);
            if (tensors.has(extra)) {
                throw new ModelFormatException(tensors.file(), "tensor '" + extra + "' exists but the model's hyper-parameters give "
                        + c.expertCount() + " routed experts (ids 0.." + (c.expertCount() - 1) + ")");
            }
            for (int e = 0; e < c.expertCount(); e++) {
                var expert = new DeepSeek2Expert(
                        tensors.required(names.expert(i, e, ExpertMatrix.GATE), eff, hidden),
                        tensors.required(names.expert(i, e, ExpertMatrix.UP), eff, hidden),
                        tensors.required(names.expert(i, e, ExpertMatrix.DOWN), hidden, eff));
                experts.add(expert);
                stored.addAll(List.of(expert.gate(), expert.up(), expert.down()));
            }
        }
        var router = tensors.required(names.layer(i, Layer.ROUTER), experts3, hidden);
        Tensor routerBias;
        if (c.selection() == Selection.NOAUX_TC) {
            routerBias = tensors.required(names.layer(i, Layer.ROUTER_BIAS), experts3);
        } else {
            routerBias = tensors.optional(names.layer(i, Layer.ROUTER_BIAS), experts3);
            if (routerBias != null) {
                throw new ModelFormatException(tensors.file(), "tensor '" + routerBias.name() + "' (an expert correction bias) needs "
                        + "topk_method noaux_tc, but the model's hyper-parameters select experts by '" + c.selection().huggingFaceName() + "'");
            }
        }
        Tensor sharedGate = null, sharedUp = null, sharedDown = null;
        if (c.sharedExpertCount() > 0) {
            long shared = c.sharedFeedForwardLength();
            sharedGate = tensors.required(names.layer(i, Layer.SHARED_GATE), shared, hidden);
            sharedUp = tensors.required(names.layer(i, Layer.SHARED_UP), shared, hidden);
            sharedDown = tensors.required(names.layer(i, Layer.SHARED_DOWN), hidden, shared);
        }
        return new DeepSeek2LayerWeights(attentionNorm, queryA, queryANorm, queryB, query, kvAMqa, kvANorm, kvB, kB, vB,
                attentionOutput, ffnNorm, null, null, null, router, routerBias, List.copyOf(experts), List.copyOf(stored),
                sharedGate, sharedUp, sharedDown);
    }
}
