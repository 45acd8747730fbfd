package ai.appliance.runtime.bench;

import ai.appliance.runtime.backend.WorkerPool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jdk.incubator.vector.FloatVector;

/**
 * What a benchmark ran on: CPU model, cores, memory, JVM and vector width, read from /proc where
 * it exists (Linux) and from the JVM otherwise, so a result can be compared with llama-bench's.
 */
public record Machine(String cpu, int physicalCores, int logicalCores, long memoryBytes, String java, int vectorBits) {

    public static Machine current() {
        return new Machine(readCpuModel(), WorkerPool.physicalCores(), Runtime.getRuntime().availableProcessors(),
                readMemoryBytes(), System.getProperty("java.vm.name") + " " + Runtime.version(),
                FloatVector.SPECIES_PREFERRED.vectorBitSize());
    }

    private static String readCpuModel() {
        try {
            for (var line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through to the architecture name
        }
        return System.getProperty("os.arch");
    }

    private static long readMemoryBytes() {
        try {
            for (var line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    /** Resident and peak resident memory of this process in bytes (VmRSS, VmHWM), or -1 where /proc is absent. */
    public static long[] residentMemory() {
        try {
            var status = Files.readAllLines(Path.of("/proc/self/status"));
            return new long[]{kibField(status, "VmRSS:"), kibField(status, "VmHWM:")};
        } catch (IOException | RuntimeException e) {
            return new long[]{-1, -1}; // not Linux
        }
    }

    /**
     * Bytes of file mappings this process reaches through 2 MiB pages (FilePmdMapped of
     * /proc/self/smaps_rollup), or -1 where that is absent. For the model's mapping this says how
     * much of the weights the page cache holds in 2 MiB folios: decode reads those with far fewer
     * TLB misses: decode ran up to twice as fast with them on the Zen 5 VM (docs/benchmarks.md,
     * "Huge pages and the page cache").
     */
    public static long hugePageMappedBytes() {
        try {
            return kibField(Files.readAllLines(Path.of("/proc/self/smaps_rollup")), "FilePmdMapped:");
        } catch (IOException | RuntimeException e) {
            return -1; // not Linux, or a kernel without smaps_rollup
        }
    }

    /** The value of a "Name:   123 kB" line in bytes, or -1 when no line starts with {@code name}. */
    static long kibField(List<String> lines, String name) {
        for (var line : lines) {
            if (line.startsWith(name)) return Long.parseLong(line.substring(name.length()).replace("kB", "").trim()) * 1024;
        }
        return -1;
    }
}
