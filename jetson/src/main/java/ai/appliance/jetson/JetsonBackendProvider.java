package ai.appliance.jetson;

import ai.appliance.cuda.CudaDriver;
import ai.appliance.cuda.GpuBackendProvider;
import ai.appliance.cuda.GpuInventory;
import ai.appliance.cuda.Nvrtc;
import ai.appliance.datacenter.CudaBackend;
import ai.appliance.datacenter.CudaCompute;
import ai.appliance.datacenter.CudaKernels;
import ai.appliance.runtime.backend.Backend;
import ai.appliance.runtime.backend.BackendOptions;

/**
 * The edge GPU backend {@value #NAME}: quantized weights (GGUF Q8_0, Q4_0, Q4_K) multiplied as int8 dot products
 * (dp4a) against activations quantized to int8 blocks of 32, on NVIDIA GPUs of compute capability 8.7 and newer,
 * Jetson Orin first (integrated, unified memory), RTX and data-center cards too. Other weight types take the
 * {@code cuda} backend's weight-only kernels. Named like the provisioning plan's backend rather than after one format.
 */
public final class JetsonBackendProvider extends GpuBackendProvider {

    public static final String NAME = "jetson";

    public JetsonBackendProvider() {
        // Orin is sm_87: its INT8 dot products are the kernels' baseline.
        super(NAME, "NVIDIA Jetson Orin and newer, int8 products of Q8_0/Q4_0/Q4_K weights",
                gpu -> gpu.atLeast(8, 7),
                "an NVIDIA GPU of compute capability 8.7 or newer (Jetson Orin and later)");
    }

    @Override
    protected Backend open(CudaDriver driver, Nvrtc nvrtc, GpuInventory.Gpu gpu, BackendOptions options) {
        return CudaBackend.open(driver, nvrtc, gpu, CudaCompute.Products.INT8_ACTIVATIONS, options.threads(),
                CudaKernels.defaultCacheFolder(System.getenv()));
    }
}
