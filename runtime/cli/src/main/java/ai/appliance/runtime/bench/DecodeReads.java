package ai.appliance.runtime.bench;

import ai.appliance.runtime.model.ModelWeights;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The weight memory one decode step reads, as the architecture counts it ({@link ModelWeights#decodeBytesPerToken}:
 * every tensor once but one embedding row, and only the experts a token uses in mixture-of-experts layers).
 * Divided by the machine's read bandwidth, {@link #bytesPerToken} gives decode's upper limit in tokens/s.
 *
 * @param regions the tensors' bytes that every step reads, to measure the bandwidth on
 */
public record DecodeReads(List<MemorySegment> regions, long bytesPerToken) {

    public static DecodeReads of(ModelWeights w) {
        var regions = new ArrayList<MemorySegment>();
        var embedding = w.tokenEmbedding();
        boolean embeddingIsMatrix = w.matrices().stream().anyMatch(t -> t == embedding);
        for (var t : w.tensors()) {
            if (t != embedding || embeddingIsMatrix) regions.add(t.data());
        }
        return new DecodeReads(List.copyOf(regions), w.decodeBytesPerToken());
    }
}
