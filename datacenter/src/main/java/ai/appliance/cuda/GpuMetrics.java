package ai.appliance.cuda;

import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * One GPU's readings from NVML. A reading the GPU does not support (NVML_ERROR_NOT_SUPPORTED: power on some boards,
 * temperature on some vGPUs) is empty rather than an error.
 *
 * @param index NVML's device index (PCI order; CUDA's ordinal may differ unless CUDA_DEVICE_ORDER=PCI_BUS_ID)
 * @param gpuUtilizationPercent share of the last sample period in which a kernel ran
 * @param memoryUtilizationPercent share of the last sample period in which device memory was read or written
 */
public record GpuMetrics(int index, OptionalInt temperatureCelsius, OptionalInt powerMilliwatts,
                         OptionalInt gpuUtilizationPercent, OptionalInt memoryUtilizationPercent,
                         OptionalLong memoryTotalBytes, OptionalLong memoryUsedBytes) {
}
