package ai.appliance.jetson;

import ai.appliance.cuda.GpuBackendProvider;

/**
 * The edge GPU backend {@value #NAME}: quantized weights (GGUF Q8_0, Q4_0, Q4_K) on NVIDIA GPUs of compute capability
 * 8.7 and newer, Jetson Orin first (integrated, unified memory), RTX cards too. Named like the provisioning plan's
 * backend rather than after one format, since it takes 8-bit and 4-bit blocks. Its kernels are not written yet:
 * {@link GpuBackendProvider} reports why it cannot run.
 */
public final class JetsonBackendProvider extends GpuBackendProvider {

    public static final String NAME = "jetson";

    public JetsonBackendProvider() {
        // Orin is sm_87: its INT8 dot products (dp4a, IMMA tensor cores) are the kernels' baseline.
        super(NAME, "NVIDIA Jetson Orin and newer, Q8_0/Q4_0/Q4_K weights (kernels not written yet)",
                gpu -> gpu.atLeast(8, 7),
                "an NVIDIA GPU of compute capability 8.7 or newer (Jetson Orin and later)");
    }
}
