package ai.appliance.cuda;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The GPUs the CUDA driver sees and the CUDA version it supports, as {@link CudaDriver#inventory()} reads them.
 *
 * @param driver the newest CUDA version the installed driver supports (cuDriverGetVersion)
 */
public record GpuInventory(CudaVersion driver, List<Gpu> gpus) {

    public GpuInventory {
        gpus = List.copyOf(gpus);
    }

    /**
     * One CUDA device.
     *
     * @param ordinal the driver's device number (CUDA_VISIBLE_DEVICES renumbers it)
     * @param integrated shares memory with the host (Jetson) rather than having its own
     */
    public record Gpu(int ordinal, String name, long memoryBytes, int computeMajor, int computeMinor,
                      int multiprocessors, boolean integrated) {

        /** E.g. {@code 9.0}, the spelling nvidia-smi's compute_cap and provisioning's reports use. */
        public String computeCapability() {
            return computeMajor + "." + computeMinor;
        }

        public boolean atLeast(int major, int minor) {
            return computeMajor > major || computeMajor == major && computeMinor >= minor;
        }

        /** E.g. {@code NVIDIA H100 80GB HBM3 (sm_90, 79.1 GiB)}. */
        public String describe() {
            return String.format(Locale.ROOT, "%s (sm_%d%d, %.1f GiB%s)", name, computeMajor, computeMinor,
                    memoryBytes / (double) (1L << 30), integrated ? ", integrated" : "");
        }
    }

    /** E.g. {@code CUDA 12.4 driver, 8 GPUs: 8 x NVIDIA H100 80GB HBM3 (sm_90, 79.1 GiB)}. */
    public String describe() {
        if (gpus.isEmpty()) return "CUDA " + driver + " driver, no GPU";
        var counts = gpus.stream().collect(Collectors.groupingBy(Gpu::describe, LinkedHashMap::new,
                Collectors.counting()));
        return "CUDA " + driver + " driver, " + gpus.size() + (gpus.size() == 1 ? " GPU: " : " GPUs: ")
                + counts.entrySet().stream().map(e -> e.getValue() == 1 ? e.getKey() : e.getValue() + " x " + e.getKey())
                        .collect(Collectors.joining(", "));
    }
}
