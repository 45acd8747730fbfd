package ai.appliance.runtime.bench;

import ai.appliance.runtime.model.ModelWeights;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The weight memory one decode step reads: every tensor once, except the token-embedding table, of
 * which it reads one row (unless the output projection shares it: tied embeddings are read whole).
 * Divided by the machine's read bandwidth, {@link #bytesPerToken} gives decode's upper limit in tokens/s.
 *
 * @param regions the tensors' bytes that every step reads, to measure the bandwidth on
 */
public record DecodeReads(List<MemorySegment> regions, long bytesPerToken) {

    public static DecodeReads of(ModelWeights w) {
        var regions = new ArrayList<MemorySegment>();
        long bytes = 0;
        var embedding = w.tokenEmbedding();
        boolean tied = w.output() == embedding;
        for (var t : BenchReport.tensors(w)) {
            if (t == embedding && !tied) {
                bytes += t.data().byteSize() / t.rowCount();
                continue;
            }
            regions.add(t.data());
            bytes += t.data().byteSize();
        }
        return new DecodeReads(List.copyOf(regions), bytes);
    }
}
