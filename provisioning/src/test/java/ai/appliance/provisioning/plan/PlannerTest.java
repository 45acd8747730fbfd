package ai.appliance.provisioning.plan;

import ai.appliance.provisioning.hardware.HardwareReport;
import ai.appliance.provisioning.testing.RecordedReports;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class PlannerTest {

    private final Planner planner = new Planner(ModelCatalog.deepSeekR1());

    @Test
    void rtx4090ArithmeticWorkedByHand() {
        var plan = planner.plan(RecordedReports.load("rtx-4090"));
        var m = plan.memory();
        long device = 24564L << 20;                          // nvidia-smi: 24564 MiB = 25,757,220,864 B
        assertEquals(device, m.deviceBytes());
        assertEquals(20_605_776_691L, m.steadyLimitBytes());   // floor(0.80 x device)
        assertEquals(21_893_637_734L, m.peakLimitBytes());     // floor(0.85 x device)
        assertEquals(8_091_592_544L, m.weightsBytes());        // 7,615,616,512 x 8.5 / 8
        assertEquals(57_344L, m.kvBytesPerToken());            // 2 x 28 layers x 4 KV heads x 128 x 2 B
        // (20,605,776,691 - 8,091,592,544 - 1 GiB) / (57,344 x 32,768 = 1,879,048,192) = 6.09 -> 6 sequences
        assertEquals(6, plan.maxSequences());
        assertEquals(6L * 1_879_048_192L, m.kvCacheBytes());
        // 512 x (4 x 3584 + 2 x 18944) x 4 B + 6 x 152,064 x 4 B
        assertEquals(106_954_752L + 3_649_536L, m.workspaceBytes());
        assertEquals(16_183_185_088L, plan.requiredDiskBytes()); // the file twice (download or decrypt beside it)
        assertEquals("525.60.13", plan.requirements().minDriverVersion());
    }

    @Test
    void rejectedCandidatesExplainWhyTheBetterModelsLost() {
        var plan = planner.plan(RecordedReports.load("jetson-orin-nano-8gb"));
        assertEquals("DeepSeek-R1-Distill-Qwen-1.5B", plan.model());
        assertTrue(plan.rejected().stream().anyMatch(r -> r.startsWith("DeepSeek-R1-Distill-Qwen-7B Q8_0: ")));
        assertTrue(plan.rejected().stream().allMatch(r -> r.contains("below the edge profile's floor")
                || r.contains("exceed the steady limit")), plan.rejected().toString());
    }

    @Test
    void gpusWithoutBf16FallBackToQ8() {
        var v100 = new HardwareReport("old", "amd64", new HardwareReport.Cpu("x", 8, List.of()), 64L << 30, 60L << 30,
                "/var/lib/appliance", 1L << 40, List.of(new HardwareReport.NvidiaGpu(0, "Tesla V100-SXM2-32GB",
                32510L << 20, "535.54.03", "12.2", "7.0", 0)), null);
        var plan = planner.plan(v100);
        assertEquals(Quantization.Q8_0, plan.quantization());
        assertTrue(plan.rejected().stream().anyMatch(r -> r.contains("needs compute capability 8.0")));
        assertNull(plan.decodeTokensPerSecondBound(), "V100 bandwidth is not in the table: no floor, no bound");
    }

    @Test
    void twoPcieGpusGetTensorParallelismWithANoteAboutTheMissingNvlink() {
        var one = RecordedReports.load("rtx-4090");
        var gpu = one.gpus().getFirst();
        var two = new HardwareReport(one.hostname(), one.architecture(), one.cpu(), one.totalRamBytes(),
                one.availableRamBytes(), one.dataDirectory(), one.freeDiskBytes(),
                List.of(gpu, new HardwareReport.NvidiaGpu(1, gpu.name(), gpu.memoryBytes(), gpu.driverVersion(),
                        gpu.cudaVersion(), gpu.computeCapability(), 0)), null);
        var plan = planner.plan(two);
        // 7B BF16 misses on one 24 GB card (14.19 + 1 + 7 GiB > 19.19) but fits split in two.
        assertEquals("DeepSeek-R1-Distill-Qwen-7B", plan.model());
        assertEquals(Quantization.BF16, plan.quantization());
        assertEquals(2, plan.tensorParallel());
        assertEquals(1, plan.replicas());
        assertTrue(plan.notes().stream().anyMatch(n -> n.contains("over PCIe")), plan.notes().toString());
        assertTrue(planner.plan(RecordedReports.load("8x-h100-80gb")).notes().isEmpty());
        assertTrue(planner.plan(RecordedReports.load("cpu-only-i7-12700")).notes().getFirst().contains("assumed"));
    }

    @Test
    void profileOverrideRunsAGpuBoxOnTheCpuBackend() {
        var plan = planner.plan(RecordedReports.load("rtx-4090"), Profile.DEV);
        assertEquals("cpu", plan.backend());
        assertEquals(0, plan.gpus());
    }

    @Test
    void aBoxTooSmallForAnyModelGetsAnErrorNamingTheProblem() {
        var tiny = new HardwareReport("pi", "aarch64", new HardwareReport.Cpu("Arm Cortex-A72", 4, List.of("asimd")),
                3L << 30, 2L << 30, "/var/lib/appliance", 10L << 30, List.of(), null);
        var e = assertThrows(NoFittingModelException.class, () -> planner.plan(tiny));
        assertTrue(e.getMessage().startsWith("no model fits this box under profile dev: DeepSeek-R1-Distill-Qwen-1.5B"),
                e.getMessage());
        var noGpu = assertThrows(NoFittingModelException.class, () -> planner.plan(tiny, Profile.PRODUCTION));
        assertTrue(noGpu.getMessage().contains("needs NVIDIA GPUs"), noGpu.getMessage());
    }

    @Test
    void tensorParallelDegreesDivideHeads() {
        var qwen7b = ModelCatalog.deepSeekR1().byId("DeepSeek-R1-Distill-Qwen-7B").orElseThrow();
        assertEquals(List.of(1, 2, 4), Planner.tensorParallelDegrees(8, qwen7b)); // 4 KV heads
        var qwen1_5b = ModelCatalog.deepSeekR1().byId("DeepSeek-R1-Distill-Qwen-1.5B").orElseThrow();
        assertEquals(List.of(1, 2), Planner.tensorParallelDegrees(8, qwen1_5b));
        assertEquals(List.of(1), Planner.tensorParallelDegrees(1, qwen7b));
    }
}
