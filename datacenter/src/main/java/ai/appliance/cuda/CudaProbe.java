package ai.appliance.cuda;

import java.util.function.IntFunction;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * What the GPU backend providers ask before they claim a host: is there a CUDA driver, which GPUs does it see, is
 * there an NVRTC to compile kernels with. Probed once per JVM ({@link #host()}), since
 * {@code BackendProvider.unavailableReason()} must be cheap and cuInit is not; never throws.
 */
public final class CudaProbe {

    /** The outcome: a reason the driver cannot be used, or what it found. */
    public sealed interface Result permits Unavailable, Available {
    }

    /** No usable driver: {@code reason} says why, e.g. "no NVIDIA driver: libcuda.so.1 not found". */
    public record Unavailable(String reason) implements Result {
    }

    /**
     * @param nvrtc      "NVRTC 12.6 (libnvrtc.so.12)", or why there is none
     * @param nvrtcFound whether NVRTC loaded (the backends compile their kernels with it)
     */
    public record Available(GpuInventory inventory, String nvrtc, boolean nvrtcFound) implements Result {
    }

    private static volatile Result host;

    private CudaProbe() {
    }

    /** This host, probed on first use. */
    public static Result host() {
        var result = host;
        if (result == null) {
            synchronized (CudaProbe.class) {
                result = host;
                if (result == null) host = result = probe(CudaDriver::load, Nvrtc::load);
            }
        }
        return result;
    }

    /**
     * Probes with the given driver loader and NVRTC loader (which takes the driver's CUDA major). Any failure becomes
     * an {@link Unavailable}: a provider that throws would take `auto` down with it.
     */
    static Result probe(Supplier<CudaDriver> driver, IntFunction<Nvrtc> nvrtc) {
        GpuInventory inventory;
        try {
            inventory = driver.get().inventory();
        } catch (CudaException e) {
            return new Unavailable(e.getMessage());
        } catch (RuntimeException | LinkageError e) {
            return new Unavailable("CUDA driver probe failed: " + e);
        }
        String compiler;
        boolean found = false;
        try {
            var library = nvrtc.apply(inventory.driver().major());
            compiler = "NVRTC " + library.version() + " (" + library.library() + ")";
            found = true;
        } catch (CudaException e) {
            compiler = e.getMessage();
        } catch (RuntimeException | LinkageError e) {
            compiler = "NVRTC probe failed: " + e;
        }
        return new Available(inventory, compiler, found);
    }

    /**
     * Why no GPU of {@code result} suits a backend, or null when at least one does.
     *
     * @param requirement what {@code usable} asks for, in words: "a discrete GPU of compute capability 8.0 or newer"
     */
    public static String unusable(Result result, Predicate<GpuInventory.Gpu> usable, String requirement) {
        return switch (result) {
            case Unavailable u -> u.reason();
            case Available a when a.inventory().gpus().isEmpty() -> "the NVIDIA driver sees no GPU ("
                    + a.inventory().describe() + ")";
            case Available a when a.inventory().gpus().stream().noneMatch(usable) -> "needs " + requirement
                    + "; this host has " + a.inventory().describe();
            case Available a -> null;
        };
    }

    /** Why a host with suitable GPUs still cannot run the backends: no NVRTC to compile their kernels; else null. */
    public static String compilerMissing(Available available) {
        return available.nvrtcFound() ? null : available.inventory().describe() + "; but the kernels cannot be compiled: "
                + available.nvrtc();
    }
}
