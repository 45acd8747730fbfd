package ai.appliance.provisioning.doctor;

import ai.appliance.provisioning.plan.CudaDrivers;
import ai.appliance.provisioning.plan.ModelCatalog;
import ai.appliance.provisioning.plan.Plan;
import ai.appliance.provisioning.plan.Planner;
import ai.appliance.provisioning.testing.RecordedProbe;
import ai.appliance.provisioning.testing.RecordedReports;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.*;

/** The live GPU software checks, on replayed /proc text, nvidia-smi output and loadable libraries. */
class DriverChecksTest {

    // The formats of /proc/driver/nvidia/version: the proprietary and the open kernel module.
    static final String PROPRIETARY_550 = """
            NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.90.07  Fri May 31 09:35:42 UTC 2024
            GCC version:  gcc version 12.3.0 (Ubuntu 12.3.0-1ubuntu1~22.04)
            """;
    static final String OPEN_580_AARCH64 = """
            NVRM version: NVIDIA UNIX Open Kernel Module for aarch64  580.65.06  Release Build  (dvs-builder@U22-I3-AE18-09-3)  Sun Jul 27 06:54:38 UTC 2025
            GCC version:  gcc version 13.3.0 (Ubuntu 13.3.0-6ubuntu2~24.04)
            """;

    private static final Planner PLANNER = new Planner(ModelCatalog.deepSeekR1());

    private static Plan plan(String report) {
        return PLANNER.plan(RecordedReports.load(report));
    }

    private static CheckResult find(List<CheckResult> results, String check) {
        return results.stream().filter(r -> r.check().equals(check)).findFirst()
                .orElseThrow(() -> new AssertionError("no check " + check + " in " + results));
    }

    @Test
    void theDriverVersionIsReadFromEitherKernelModulesLine() {
        assertEquals(Optional.of("550.90.07"), DriverChecks.parseProcVersion(PROPRIETARY_550));
        assertEquals(Optional.of("580.65.06"), DriverChecks.parseProcVersion(OPEN_580_AARCH64));
        assertEquals(Optional.empty(), DriverChecks.parseProcVersion("GCC version: gcc version 12.3.0\n"));
        assertEquals(Optional.of("580.159.04"), DriverChecks.parseNvidiaSmiDriver("580.159.04\n580.159.04\n"));
        assertEquals(Optional.empty(), DriverChecks.parseNvidiaSmiDriver(
                "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n"));
    }

    @Test
    void theDriverTableSaysWhichCudaMajorADriverRuns() {
        assertEquals(OptionalInt.of(12), DriverChecks.newestCudaMajor("525.60.13"));
        assertEquals(OptionalInt.of(12), DriverChecks.newestCudaMajor("550.90.07"));
        assertEquals(OptionalInt.of(13), DriverChecks.newestCudaMajor("580.65.06"));
        assertEquals(OptionalInt.of(13), DriverChecks.newestCudaMajor("580.159.04"));
        assertEquals(OptionalInt.empty(), DriverChecks.newestCudaMajor("470.82.01"));
        assertEquals("525.60.13", CudaDrivers.forCudaVersion("12.2").driverVersion());
        assertEquals(CudaDrivers.forCudaMajor(12).driverVersion(), plan("a100-80gb").requirements().minDriverVersion(),
                "the planner's requirement comes from the same table");
    }

    @Test
    void aCpuPlanSkipsTheGpuChecksInsteadOfFailingThem() {
        var results = Doctor.builder(RecordedReports.load("cpu-only-i7-12700")).plan(plan("cpu-only-i7-12700"))
                .host(new RecordedProbe()).build().run();
        for (var check : List.of("driver", "libcuda", "nvrtc")) {
            assertEquals(CheckResult.Status.SKIP, find(results, check).status(), check);
            assertTrue(find(results, check).detail().startsWith("the plan's backend is cpu"), find(results, check).detail());
        }
        assertTrue(find(results, "nvrtc").line().startsWith("SKIP  nvrtc"), find(results, "nvrtc").line());
    }

    @Test
    void aDataCenterBoxWithDriverLibcudaAndNvrtcPasses() {
        var host = new RecordedProbe().fileText("/proc/driver/nvidia/version", PROPRIETARY_550)
                .library("libcuda.so.1").library("libnvrtc.so.12");
        var results = DriverChecks.run(plan("8x-h100-80gb"), host);
        assertEquals("NVIDIA 550.90.07 (/proc/driver/nvidia/version) runs CUDA 12; the plan needs CUDA 12: 525.60.13 "
                + "or newer", find(results, "driver").detail());
        assertEquals(CheckResult.Status.PASS, find(results, "libcuda").status());
        assertEquals(CheckResult.pass("nvrtc", "libnvrtc.so.12 loads: kernels compile for CUDA 12, which driver "
                + "550.90.07 runs"), find(results, "nvrtc"));
        assertTrue(results.stream().allMatch(r -> r.status() == CheckResult.Status.PASS), results.toString());
    }

    @Test
    void withoutProcTheDriverComesFromNvidiaSmiAndNvrtcFromTheToolkitFolder() {
        var host = new RecordedProbe().commandOutput("580.159.04\n", DriverChecks.NVIDIA_SMI_DRIVER.toArray(String[]::new))
                .library("libcuda.so.1").library("/usr/local/cuda/lib64/libnvrtc.so.13");
        var results = DriverChecks.run(plan("8x-h100-80gb"), host);
        assertTrue(find(results, "driver").detail().startsWith("NVIDIA 580.159.04 (nvidia-smi) runs CUDA 13"),
                find(results, "driver").detail());
        assertEquals("/usr/local/cuda/lib64/libnvrtc.so.13 loads: kernels compile for CUDA 13, which driver 580.159.04"
                + " runs", find(results, "nvrtc").detail());
    }

    @Test
    void aBoxWithoutTheDriverFailsEachCheckSayingWhatToInstall() {
        var results = DriverChecks.run(plan("8x-h100-80gb"), new RecordedProbe());
        var driver = find(results, "driver");
        assertEquals(CheckResult.Status.FAIL, driver.status());
        assertEquals("no NVIDIA driver: /proc/driver/nvidia/version is missing and nvidia-smi is not on PATH; install "
                + "the NVIDIA data-center driver 525.60.13 or newer (CUDA 12)", driver.detail());
        var libcuda = find(results, "libcuda");
        assertEquals(CheckResult.Status.FAIL, libcuda.status());
        assertTrue(libcuda.detail().startsWith("libcuda.so.1 does not load: it comes with the driver"), libcuda.detail());
        var nvrtc = find(results, "nvrtc");
        assertEquals(CheckResult.Status.FAIL, nvrtc.status());
        assertTrue(nvrtc.detail().startsWith("no NVRTC: libnvrtc.so.13, libnvrtc.so.12 not found by the dynamic loader "
                + "nor in /usr/local/cuda/lib64/; install NVRTC 12 (cuda-nvrtc-12-"), nvrtc.detail());
        assertTrue(nvrtc.detail().contains("pip nvidia-cuda-nvrtc-cu12"), nvrtc.detail());
    }

    @Test
    void anOldDriverFailsAndNvrtcIsJudgedWithoutClaimingTheDriverRunsIt() {
        var host = new RecordedProbe().commandOutput("470.82.01\n", DriverChecks.NVIDIA_SMI_DRIVER.toArray(String[]::new))
                .library("libcuda.so.1").library("libnvrtc.so.12");
        var results = DriverChecks.run(plan("8x-h100-80gb"), host);
        assertEquals(CheckResult.fail("driver", "NVIDIA 470.82.01 (nvidia-smi) is older than 525.60.13, the oldest that"
                + " runs CUDA 12: upgrade the driver"), find(results, "driver"));
        assertEquals(CheckResult.pass("nvrtc", "libnvrtc.so.12 loads: kernels compile for CUDA 12"), find(results, "nvrtc"));
    }

    @Test
    void nvrtcNewerThanTheDriverRunsDoesNotCount() {
        var host = new RecordedProbe().fileText("/proc/driver/nvidia/version", PROPRIETARY_550)
                .library("libcuda.so.1").library("libnvrtc.so.13");
        var nvrtc = find(DriverChecks.run(plan("8x-h100-80gb"), host), "nvrtc");
        assertEquals(CheckResult.Status.FAIL, nvrtc.status());
        assertTrue(nvrtc.detail().startsWith("libnvrtc.so.13 loads, but driver 550.90.07 runs CUDA 12 at most: install "
                + "NVRTC 12"), nvrtc.detail());
        assertTrue(nvrtc.detail().endsWith("or upgrade the driver"), nvrtc.detail());
    }

    @Test
    void aJetsonLeavesTheDriverToL4tAndWantsNvrtcOfItsCudaMajor() {
        var plan = plan("jetson-orin-nano-8gb");
        var ok = DriverChecks.run(plan, new RecordedProbe().library("libcuda.so.1").library("libnvrtc.so.12")
                .library("libnvrtc.so.13"));
        assertEquals(CheckResult.Status.SKIP, find(ok, "driver").status());
        assertEquals(CheckResult.Status.PASS, find(ok, "libcuda").status());
        assertEquals("libnvrtc.so.12 loads: kernels compile for CUDA 12", find(ok, "nvrtc").detail());

        var onlyThirteen = find(DriverChecks.run(plan, new RecordedProbe().library("libnvrtc.so.13")), "nvrtc");
        assertTrue(onlyThirteen.detail().startsWith("libnvrtc.so.13 loads, but this box's driver runs CUDA 12 at most"),
                onlyThirteen.detail());

        var bare = DriverChecks.run(plan, new RecordedProbe());
        assertTrue(find(bare, "libcuda").detail().contains("nvidia-l4t-cuda"), find(bare, "libcuda").detail());
        assertTrue(find(bare, "nvrtc").detail().startsWith("no NVRTC: libnvrtc.so.12 not found"), find(bare, "nvrtc").detail());
    }

    @Test
    void theLocalProbeAsksTheDynamicLoader() {
        var local = new ai.appliance.provisioning.hardware.LocalSystemProbe();
        assertTrue(local.canLoadLibrary("libc.so.6"));
        assertFalse(local.canLoadLibrary("libnot-a-library.so.3"));
        assertFalse(local.canLoadLibrary("/no/such/folder/libc.so.6"));
    }

    @Test
    void withoutAHostTheGpuChecksAreSkippedSayingWhy() {
        var report = RecordedReports.load("8x-h100-80gb");
        var results = Doctor.builder(report).plan(PLANNER.plan(report)).build().run();
        var nvrtc = find(results, "nvrtc");
        assertEquals(CheckResult.Status.SKIP, nvrtc.status());
        assertTrue(nvrtc.detail().contains("recorded hardware report"), nvrtc.detail());
    }
}
