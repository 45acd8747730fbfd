package ai.appliance.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * Prints what the bindings see on this host: the driver's GPUs, NVRTC, and NVML's readings. The first acceptance step
 * on a GPU host (datacenter/README.md): its lines must agree with nvidia-smi.
 * {@code java --enable-native-access=ALL-UNNAMED -cp datacenter/target/classes ai.appliance.cuda.GpuReport}
 */
public final class GpuReport {

    private GpuReport() {
    }

    public static void main(String[] args) {
        lines(CudaProbe.host(), Nvml::open).forEach(System.out::println);
    }

    static List<String> lines(CudaProbe.Result probe, Supplier<Nvml> nvml) {
        var lines = new ArrayList<String>();
        switch (probe) {
            case CudaProbe.Unavailable u -> {
                lines.add("driver: " + u.reason());
                return lines;
            }
            case CudaProbe.Available a -> {
                lines.add("driver: " + a.inventory().describe());
                a.inventory().gpus().forEach(g -> lines.add("  cuda " + g.ordinal() + ": " + g.describe() + ", "
                        + g.multiprocessors() + " SMs"));
                lines.add("nvrtc: " + a.nvrtc());
            }
        }
        try (var metrics = nvml.get()) {
            for (var m : metrics.metrics()) {
                lines.add("  nvml " + m.index() + ": " + text(m.temperatureCelsius(), " C") + ", "
                        + (m.powerMilliwatts().isPresent() ? m.powerMilliwatts().getAsInt() / 1000.0 + " W" : "power n/a")
                        + ", gpu " + text(m.gpuUtilizationPercent(), " %") + ", memory " + mib(m.memoryUsedBytes())
                        + " used of " + mib(m.memoryTotalBytes()));
            }
        } catch (CudaException e) {
            lines.add("nvml: " + e.getMessage());
        }
        return lines;
    }

    private static String text(OptionalInt value, String unit) {
        return value.isPresent() ? value.getAsInt() + unit : "n/a";
    }

    private static String mib(OptionalLong bytes) {
        return bytes.isPresent() ? (bytes.getAsLong() >> 20) + " MiB" : "n/a";
    }
}
