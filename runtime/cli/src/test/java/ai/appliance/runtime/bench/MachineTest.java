package ai.appliance.runtime.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class MachineTest {

    private static final List<String> SMAPS_ROLLUP = List.of(
            "7f1a00000000-7ffd1a2b4000 ---p 00000000 00:00 0                          [rollup]",
            "Rss:             1893100 kB",
            "AnonHugePages:         0 kB",
            "FilePmdMapped:   1847296 kB",
            "Swap:                  0 kB");

    @Test
    void readsAKibibyteFieldOfSmapsRollupInBytes() {
        assertEquals(1847296L * 1024, Machine.kibField(SMAPS_ROLLUP, "FilePmdMapped:"));
        assertEquals(0L, Machine.kibField(SMAPS_ROLLUP, "AnonHugePages:"));
    }

    @Test
    void aMissingFieldIsMinusOne() {
        assertEquals(-1L, Machine.kibField(SMAPS_ROLLUP, "ShmemPmdMapped:"));
    }

    @Test
    void hugePageShareIsThePartOfTheModelFileOrNotAvailable() {
        var machine = new Machine("cpu", 2, 2, 1L << 30, "jvm", 512);
        assertEquals("50 %", report(machine, 2000, 1000).hugePageShare());
        assertEquals("100 %", report(machine, 2000, 4000).hugePageShare()); // other mappings counted too: capped
        assertEquals("n/a", report(machine, 2000, -1).hugePageShare());
        assertEquals("n/a", report(machine, -1, 1000).hugePageShare());
    }

    private static BenchReport report(Machine machine, long fileBytes, long hugePageBytes) {
        return new BenchReport("m.gguf", fileBytes, 1, "Q8_0 x1", machine, 1.0, 1, hugePageBytes, 1, 1, "cpu", List.of());
    }
}
