package ai.appliance.provisioning.plan;

/**
 * Weight formats the planner chooses between, with their storage cost.
 * Bits per weight include the block scales: Q8_0 stores 32 int8 + one fp16 scale (34 bytes per 32 weights);
 * Q4_K_M mixes Q4_K and Q6_K blocks and averages 4.9 bits on the distill checkpoints (llama.cpp file sizes).
 */
public enum Quantization {
    BF16(16.0, 8.0),
    /** DeepSeek-R1's native format: FP8 e4m3 with 128x128 block scales (scales add well under 0.1%). */
    FP8(8.0, 8.9),
    Q8_0(8.5, 0.0),
    Q4_K_M(4.9, 0.0);

    private final double bitsPerWeight;
    private final double minComputeCapability;

    Quantization(double bitsPerWeight, double minComputeCapability) {
        this.bitsPerWeight = bitsPerWeight;
        this.minComputeCapability = minComputeCapability;
    }

    public double bitsPerWeight() {
        return bitsPerWeight;
    }

    /** Lowest CUDA compute capability with native support (BF16 needs Ampere 8.0, FP8 Ada/Hopper 8.9); 0 = any. */
    public double minComputeCapability() {
        return minComputeCapability;
    }

    public long bytesFor(long parameters) {
        return (long) Math.ceil(parameters * bitsPerWeight / 8.0);
    }
}
