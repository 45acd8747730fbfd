package ai.appliance.provisioning.hardware;

import ai.appliance.provisioning.testing.RecordedProbe;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class HardwareDetectorTest {

    @Test
    void jetsonOrinNanoIsDetectedFromDeviceTreeAndTegraRelease() {
        var probe = new RecordedProbe()
                .file("/proc/cpuinfo", "orin-cpuinfo.txt")
                .file("/proc/meminfo", "orin-meminfo.txt")
                .file("/proc/device-tree/model", "orin-device-tree-model.bin")
                .file("/etc/nv_tegra_release", "orin-nv_tegra_release.txt");
        var report = new HardwareDetector(probe).detect(Path.of("/var/lib/appliance"));
        assertEquals("NVIDIA Jetson Orin Nano Developer Kit", report.jetson().model());
        assertEquals("36.4.0", report.jetson().l4tRelease());
        assertEquals(7_620_016L * 1024, report.jetson().unifiedMemoryBytes());
        assertEquals(6_012_344L * 1024, report.availableRamBytes());
        assertEquals("Arm Cortex-A78AE", report.cpu().model());
        assertEquals(2, report.cpu().logicalCores());
        assertEquals(List.of("asimd", "asimdhp", "asimddp", "fphp"), report.cpu().simd());
        assertTrue(report.gpus().isEmpty());
    }

    @Test
    void nvidiaGpusComeFromNvidiaSmiWithCudaVersionAndNvlinks() {
        var probe = new RecordedProbe()
                .file("/proc/cpuinfo", "x86-cpuinfo.txt")
                .command("dgx-nvidia-smi-query.csv", "nvidia-smi",
                        "--query-gpu=index,name,memory.total,driver_version,compute_cap", "--format=csv,noheader,nounits")
                .command("dgx-nvidia-smi.txt", "nvidia-smi")
                .command("dgx-nvlink-status.txt", "nvidia-smi", "nvlink", "--status");
        var report = new HardwareDetector(probe).detect(Path.of("/data"));
        assertNull(report.jetson());
        assertEquals(2, report.gpus().size());
        var gpu0 = report.gpus().getFirst();
        assertEquals("NVIDIA H100 80GB HBM3", gpu0.name());
        assertEquals(81559L << 20, gpu0.memoryBytes());
        assertEquals("550.90.07", gpu0.driverVersion());
        assertEquals("12.4", gpu0.cudaVersion());
        assertEquals("9.0", gpu0.computeCapability());
        assertEquals(3, gpu0.activeNvlinks());
        assertEquals(1, report.gpus().get(1).activeNvlinks());
        assertEquals("12th Gen Intel(R) Core(TM) i7-12700", report.cpu().model());
        assertEquals(List.of("sse4_2", "avx", "avx2", "fma", "f16c", "avx_vnni"), report.cpu().simd());
    }

    @Test
    void outputRecordedOnARealH100VmParsesAndPlansOneGpu() {
        // Captured with nvidia-smi 580.159.04 on a one-GPU H100 VM; `nvidia-smi nvlink --status` printed nothing.
        var probe = new RecordedProbe()
                .file("/proc/meminfo", "h100-vm-meminfo.txt")
                .command("h100-vm-nvidia-smi-query.csv", "nvidia-smi",
                        "--query-gpu=index,name,memory.total,driver_version,compute_cap", "--format=csv,noheader,nounits")
                .command("h100-vm-nvidia-smi.txt", "nvidia-smi");
        probe.commandOutput("", "nvidia-smi", "nvlink", "--status");
        var report = new HardwareDetector(probe).detect(Path.of("/data"));
        var gpu = report.gpus().getFirst();
        assertEquals(1, report.gpus().size());
        assertEquals("NVIDIA H100 80GB HBM3", gpu.name());
        assertEquals(81559L << 20, gpu.memoryBytes());
        assertEquals("580.159.04", gpu.driverVersion());
        assertEquals("13.0", gpu.cudaVersion());
        assertEquals(0, gpu.activeNvlinks());
        assertEquals(131_981_020L * 1024, report.totalRamBytes());
        var plan = new ai.appliance.provisioning.plan.Planner(ai.appliance.provisioning.plan.ModelCatalog.deepSeekR1())
                .plan(report);
        assertEquals("DeepSeek-R1-Distill-Qwen-14B", plan.model()); // same row as the 80 GB A100 / H100 in the docs
    }

    @Test
    void aBareBoxWithNothingReadableIsAValidReport() {
        var report = new HardwareDetector(new RecordedProbe()).detect(Path.of("/data"));
        assertTrue(report.gpus().isEmpty());
        assertNull(report.jetson());
        assertEquals("unknown", report.cpu().model());
        assertEquals(6, report.cpu().logicalCores());
        assertTrue(report.totalRamBytes() > 0);
    }

    @Test
    void malformedNvidiaSmiLinesAreSkippedNotInvented() {
        var gpus = HardwareDetector.parseGpus("0, NVIDIA A100-SXM4-40GB, 40960, 535.183.01, 8.0\n"
                + "1, NVIDIA A100-SXM4-40GB, [N/A], 535.183.01, 8.0\nUnable to determine the device handle\n",
                "12.2", Map.of());
        assertEquals(1, gpus.size());
        assertEquals(0, gpus.getFirst().activeNvlinks());
    }

    @Test
    void olderTegraReleaseWithPointRevisionParses() {
        assertEquals("35.4.1", HardwareDetector.parseL4tRelease("# R35 (release), REVISION: 4.1, GCID: 33958178"));
        assertEquals("unknown", HardwareDetector.parseL4tRelease("garbage"));
    }
}
