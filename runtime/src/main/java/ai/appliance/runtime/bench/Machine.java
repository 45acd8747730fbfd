package ai.appliance.runtime.bench;

import ai.appliance.runtime.backend.WorkerPool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
        long rss = -1;
        long peak = -1;
        try {
            for (var line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                if (line.startsWith("VmHWM:")) peak = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return new long[]{rss, peak};
    }
}
