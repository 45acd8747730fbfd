package ai.appliance.provisioning.hardware;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * What {@code provision detect} found on a box: the input of the planner and of {@code doctor}.
 * GPUs empty and jetson null is the normal CPU-only case, not an error.
 *
 * @param architecture {@code os.arch} of the JVM, e.g. {@code amd64}, {@code aarch64}
 * @param dataDirectory the folder whose free space {@link #freeDiskBytes} measures (where models go)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HardwareReport(
        String hostname,
        String architecture,
        Cpu cpu,
        long totalRamBytes,
        long availableRamBytes,
        String dataDirectory,
        long freeDiskBytes,
        List<NvidiaGpu> gpus,
        Jetson jetson) {

    public HardwareReport {
        gpus = gpus == null ? List.of() : List.copyOf(gpus);
    }

    /** @param simd the vector instruction sets the planner and the CPU backend care about, lower case */
    public record Cpu(String model, int logicalCores, List<String> simd) {
        public Cpu {
            simd = simd == null ? List.of() : List.copyOf(simd);
        }
    }

    /**
     * One discrete NVIDIA GPU as nvidia-smi reports it.
     *
     * @param computeCapability e.g. {@code 8.9}
     * @param activeNvlinks NVLink links up on this GPU; 0 means PCIe only
     */
    public record NvidiaGpu(int index, String name, long memoryBytes, String driverVersion, String cudaVersion,
                            String computeCapability, int activeNvlinks) {
    }

    /**
     * A Jetson module: GPU and CPU share one memory ({@code unifiedMemoryBytes} equals the RAM).
     *
     * @param model the device-tree model string, e.g. "NVIDIA Jetson AGX Orin Developer Kit"
     * @param l4tRelease from /etc/nv_tegra_release, e.g. {@code 36.4.0}
     */
    public record Jetson(String model, String l4tRelease, long unifiedMemoryBytes) {
    }

    public boolean hasNvidiaGpus() {
        return !gpus.isEmpty();
    }
}
