package ai.appliance.cuda;

import ai.appliance.runtime.backend.Backend;
import ai.appliance.runtime.backend.BackendOptions;
import ai.appliance.runtime.backend.BackendProvider;
import ai.appliance.runtime.backend.UnknownBackendException;

import java.util.function.Predicate;

/**
 * What the CUDA backend providers share: the host probe and the reason chain (driver, then GPUs, then NVRTC), and
 * opening the first GPU that suits the backend. Each backend says which GPUs it takes and how it multiplies.
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

    /** Why this backend cannot run with this probe result, or null when it can. */
    public final String reason(CudaProbe.Result probe) {
        var unusable = CudaProbe.unusable(probe, usable, requirement);
        return unusable != null ? unusable : CudaProbe.compilerMissing((CudaProbe.Available) probe);
    }

    /** The first GPU of the inventory this backend takes (the probe said there is one). */
    protected final GpuInventory.Gpu firstUsable(GpuInventory inventory) {
        return inventory.gpus().stream().filter(usable).findFirst().orElseThrow(
                () -> new UnknownBackendException("backend '" + name + "' needs " + requirement));
    }

    @Override
    public Backend create(BackendOptions options) {
        var reason = unavailableReason();
        if (reason != null) throw new UnknownBackendException("backend '" + name + "' cannot run on this host: " + reason);
        var driver = CudaDriver.load();
        return open(driver, Nvrtc.load(driver.driverVersion().major()), firstUsable(driver.inventory()), options);
    }

    /** The backend on {@code gpu}. */
    protected abstract Backend open(CudaDriver driver, Nvrtc nvrtc, GpuInventory.Gpu gpu, BackendOptions options);
}
