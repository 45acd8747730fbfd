package ai.appliance.datacenter;

import ai.appliance.cuda.GpuBackendProvider;

/**
 * The data-center GPU backend {@value #NAME}: the full model in BF16 on discrete NVIDIA GPUs of compute capability 8.0
 * and newer (A100, H100, H200); BF16 tensor cores start with Ampere, and integrated GPUs (Jetson) are the jetson
 * backend's. Its kernels are not written yet: {@link GpuBackendProvider} reports why it cannot run.
 */
public final class CudaBackendProvider extends GpuBackendProvider {

    public static final String NAME = "cuda";

    public CudaBackendProvider() {
        super(NAME, "NVIDIA CUDA GPUs, full model in BF16 (kernels not written yet)",
                gpu -> !gpu.integrated() && gpu.atLeast(8, 0),
                "a discrete NVIDIA GPU of compute capability 8.0 or newer (BF16)");
    }
}
