package ai.appliance.cuda;

import ai.appliance.runtime.backend.Backend;
import ai.appliance.runtime.backend.BackendOptions;
import ai.appliance.runtime.backend.BackendProvider;
import ai.appliance.runtime.backend.UnknownBackendException;

import java.util.function.Predicate;

/**
 * What the CUDA backend providers share: the host probe and the reason chain (driver, then GPUs, then the kernels).
 * Each backend says which GPUs it takes. While the kernels are not written, every host ends in
 * {@link CudaProbe#KERNELS_NOT_BUILT}, so `auto` falls back to the CPU and asking for the backend by name is a clear
 * error, never a crash.
 */
public abstract class GpuBackendProvider implements BackendProvider {

    private final String name;
    private final String description;
    private final Predicate<GpuInventory.Gpu> usable;
    private final String requirement;

    /** @param requirement {@code usable} in words, for the reason: "a GPU of compute capability 8.7 or newer" */
    protected GpuBackendProvider(String name, String description, Predicate<GpuInventory.Gpu> usable,
                                 String requirement) {
        this.name = name;
        this.description = description;
        this.usable = usable;
        this.requirement = requirement;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String description() {
        return description;
    }

    public final String requirement() {
        return requirement;
    }

    @Override
    public final String unavailableReason() {
        return reason(CudaProbe.host());
    }

    /** The reason for a probe result; never null while the kernels are not part of the build. */
    public final String reason(CudaProbe.Result probe) {
        var unusable = CudaProbe.unusable(probe, usable, requirement);
        return unusable != null ? unusable : CudaProbe.kernelsNotBuilt((CudaProbe.Available) probe);
    }

    @Override
    public Backend create(BackendOptions options) {
        throw new UnknownBackendException("backend '" + name + "' cannot run on this host: " + unavailableReason());
    }
}
