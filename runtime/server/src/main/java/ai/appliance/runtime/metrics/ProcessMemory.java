package ai.appliance.runtime.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's resident memory ({@code VmRSS} of /proc/self/status): heap, off-heap KV caches, decrypted weights
 * and the page-cache pages of mapped weights it touched. This, not the heap, is what a container limit or a
 * systemd MemoryMax stops, so the memory alert compares it with the plan. Micrometer's JVM binders only see the
 * JVM's own pools. Reports NaN where /proc is missing (not Linux), which Prometheus shows as no value.
 */
final class ProcessMemory implements MeterBinder {

    private static final Path STATUS = Path.of("/proc/self/status");

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("appliance.process.resident.memory.bytes", ProcessMemory::residentBytes)
                .description("Resident memory of the appliance process (VmRSS)").register(registry);
    }

    static double residentBytes() {
        try {
            for (var line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    return parseKib(line) * 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    /** {@code "VmRSS:\t  123456 kB"} → 123456. */
    static long parseKib(String line) {
        var fields = line.substring(line.indexOf(':') + 1).trim().split("\\s+");
        return Long.parseLong(fields[0]);
    }
}
