package ai.appliance.datacenter;

import ai.appliance.cuda.CudaDriver;
import ai.appliance.cuda.GpuBackendProvider;
import ai.appliance.cuda.GpuInventory;
import ai.appliance.cuda.Nvrtc;
import ai.appliance.runtime.backend.Backend;
import ai.appliance.runtime.backend.BackendOptions;

/**
 * The data-center GPU backend {@value #NAME}: discrete NVIDIA GPUs of compute capability 8.0 and newer (A100, H100,
 * H200), weights in their file format (BF16, F16, F32, FP8 with block scales, Q8_0, Q4_0, Q4_K) multiplied against F32
 * activations; integrated GPUs (Jetson) are the jetson backend's.
 */
public final class CudaBackendProvider extends GpuBackendProvider {

    public static final String NAME = "cuda";

    public CudaBackendProvider() {
        super(NAME, "NVIDIA CUDA GPUs, weights in their file format, F32 activations",
                gpu -> !gpu.integrated() && gpu.atLeast(8, 0),
                "a discrete NVIDIA GPU of compute capability 8.0 or newer (BF16)");
    }

    @Override
    protected Backend open(CudaDriver driver, Nvrtc nvrtc, GpuInventory.Gpu gpu, BackendOptions options) {
        return CudaBackend.open(driver, nvrtc, gpu, CudaCompute.Products.WEIGHT_ONLY, options.threads(),
                CudaKernels.defaultCacheFolder(System.getenv()));
    }
}
