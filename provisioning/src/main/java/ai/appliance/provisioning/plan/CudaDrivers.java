package ai.appliance.provisioning.plan;

import java.util.List;

/**
 * The oldest NVIDIA Linux driver that runs each CUDA major: the one table the planner's requirements and doctor's
 * driver checks read. Source: NVIDIA's CUDA Toolkit Release Notes, table "CUDA Toolkit and Minimum Required Driver
 * Version for CUDA Minor Version Compatibility", and the CUDA Compatibility guide, "Minor Version Compatibility"
 * (CUDA 12.x: driver 525 and newer; CUDA 13.x: 580 and newer; 580.65.06 is the CUDA 13.0 GA driver). Code built with
 * any toolkit or NVRTC of a major runs on a driver at least this new; newer drivers also run older majors.
 * Jetson's driver comes with L4T instead: JetPack 6 (L4T 36) carries CUDA 12.
 */
public final class CudaDrivers {

    /** @param driverVersion e.g. {@code 525.60.13}, as nvidia-smi and /proc/driver/nvidia/version print it */
    public record Minimum(int cudaMajor, String driverVersion) {
    }

    /** Oldest major first. */
    public static final List<Minimum> MINIMUMS = List.of(new Minimum(12, "525.60.13"), new Minimum(13, "580.65.06"));

    private CudaDrivers() {
    }

    /** @throws IllegalArgumentException for a major the table does not have */
    public static Minimum forCudaMajor(int major) {
        return MINIMUMS.stream().filter(m -> m.cudaMajor() == major).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no minimum driver known for CUDA " + major));
    }

    /** The minimum for a version such as {@code 12.0} or {@code 12.2}: only its major matters. */
    public static Minimum forCudaVersion(String version) {
        return forCudaMajor(Integer.parseInt(version.trim().split("\\.")[0]));
    }
}
