package ai.appliance.provisioning.plan;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * What {@code provision plan} decided for one box: model, format, parallelism, context, batch and the memory
 * arithmetic behind them. Serialized as plan.json; render and doctor read it back.
 *
 * @param tensorParallel GPUs one model replica spans; {@code replicas} copies run side by side
 * @param maxSequences batch size: sequences decoded together, each with a full context of KV cache
 * @param decodeTokensPerSecondBound bandwidth roofline for one sequence; null when the bandwidth is unknown
 * @param requiredDiskBytes the model file plus one more copy (download or decrypt-to-file needs two)
 * @param rejected why each better candidate was passed over, best first
 * @param notes what an operator should know about this plan (e.g. tensor parallelism without NVLink)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Plan(
        String profile,
        String backend,
        String model,
        String huggingFaceRepo,
        String architecture,
        Quantization quantization,
        int gpus,
        int tensorParallel,
        int replicas,
        int contextLength,
        int maxSequences,
        int prefillChunkTokens,
        Memory memory,
        Double decodeTokensPerSecondBound,
        long requiredDiskBytes,
        Requirements requirements,
        List<String> rejected,
        List<String> notes) {

    public Plan {
        rejected = rejected == null ? List.of() : List.copyOf(rejected);
        notes = notes == null ? List.of() : List.copyOf(notes);
    }

    /**
     * The budget of one device (one GPU, or the unified / system memory). All values in bytes.
     * steadyLimit = 80% of usable (20% stays free for bursts); peakLimit = 85% of usable, never planned over.
     */
    public record Memory(
            long deviceBytes,
            long osReserveBytes,
            long usableBytes,
            long steadyLimitBytes,
            long peakLimitBytes,
            long weightsBytes,
            long runtimeOverheadBytes,
            long kvBytesPerToken,
            long kvCacheBytes,
            long workspaceBytes,
            long steadyBytes,
            long peakBytes) {
    }

    /** What doctor checks the box against: versions needed by the chosen backend and format. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Requirements(String minDriverVersion, String minCudaVersion, String minComputeCapability,
                               String minL4tRelease) {
    }
}
