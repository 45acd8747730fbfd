package ai.appliance.datacenter;

import ai.appliance.cuda.CudaProbe;
import ai.appliance.runtime.backend.Backend;
import ai.appliance.runtime.backend.BackendOptions;
import ai.appliance.runtime.backend.BackendProvider;
import ai.appliance.runtime.backend.UnknownBackendException;

/**
 * The data-center GPU backend {@value #NAME}: the full model in BF16 on discrete NVIDIA GPUs of compute capability 8.0
 * and newer (A100, H100, H200). It finds the driver and the GPUs; its kernels are not written yet, so on every host it
 * reports why it cannot run, which makes `auto` fall back to the CPU and `--backend cuda` a clear error.
 */
public final class CudaBackendProvider implements BackendProvider {

    public static final String NAME = "cuda";

    /** BF16 tensor cores start with Ampere; integrated GPUs (Jetson) are the jetson backend's. */
    static final String REQUIREMENT = "a discrete NVIDIA GPU of compute capability 8.0 or newer (BF16)";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "NVIDIA CUDA GPUs, full model in BF16 (kernels not written yet)";
    }

    @Override
    public String unavailableReason() {
        return reason(CudaProbe.host());
    }

    /** The reason for a probe result: driver, then GPUs, then the missing kernels; never null while they are. */
    static String reason(CudaProbe.Result probe) {
        var unusable = CudaProbe.unusable(probe, gpu -> !gpu.integrated() && gpu.atLeast(8, 0), REQUIREMENT);
        return unusable != null ? unusable : CudaProbe.kernelsNotBuilt((CudaProbe.Available) probe);
    }

    @Override
    public Backend create(BackendOptions options) {
        throw new UnknownBackendException("backend '" + NAME + "' cannot run on this host: " + unavailableReason());
    }
}
