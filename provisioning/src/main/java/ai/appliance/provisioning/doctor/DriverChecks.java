package ai.appliance.provisioning.doctor;

import ai.appliance.provisioning.hardware.SystemProbe;
import ai.appliance.provisioning.plan.CudaDrivers;
import ai.appliance.provisioning.plan.Plan;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The GPU software this box has now, read live rather than from the hardware report: the NVIDIA kernel driver and its
 * version against the minimum for the plan's CUDA major ({@link CudaDrivers}), the driver library the GPU backends
 * bind ({@code libcuda.so.1}), and NVRTC, which compiles their kernels and is not part of the driver. Skipped, not
 * failed, for a CPU plan.
 */
final class DriverChecks {

    static final Path PROC_VERSION = Path.of("/proc/driver/nvidia/version");
    static final List<String> NVIDIA_SMI_DRIVER = List.of("nvidia-smi", "--query-gpu=driver_version",
            "--format=csv,noheader");
    static final String LIBCUDA = "libcuda.so.1";
    /** Where the CUDA toolkit puts NVRTC without always adding the folder to the ld.so cache. */
    static final String TOOLKIT_LIB = "/usr/local/cuda/lib64/";

    private DriverChecks() {
    }

    /** A driver version and where it was read. */
    record Driver(String version, String source) {
    }

    static List<CheckResult> run(Plan plan, SystemProbe host) {
        return switch (plan.backend()) {
            case "datacenter" -> datacenter(plan, host);
            case "jetson" -> jetson(plan, host);
            default -> skipped("the plan's backend is " + plan.backend() + ": no GPU software needed");
        };
    }

    /** The three lines as SKIP, each saying {@code why}. */
    static List<CheckResult> skipped(String why) {
        return List.of(CheckResult.skip("driver", why), CheckResult.skip("libcuda", why), CheckResult.skip("nvrtc", why));
    }

    private static List<CheckResult> datacenter(Plan plan, SystemProbe host) {
        var required = CudaDrivers.forCudaMajor(cudaMajor(plan));
        var results = new ArrayList<CheckResult>();
        var driver = driver(host);
        if (driver.isEmpty()) {
            results.add(CheckResult.fail("driver", "no NVIDIA driver: " + PROC_VERSION + " is missing and nvidia-smi"
                    + " is not on PATH; install the NVIDIA data-center driver " + required.driverVersion()
                    + " or newer (CUDA " + required.cudaMajor() + ")"));
        } else {
            var d = driver.get();
            results.add(Versions.atLeast(d.version(), required.driverVersion())
                    ? CheckResult.pass("driver", "NVIDIA " + d.version() + " (" + d.source() + ") runs CUDA "
                            + newestCudaMajor(d.version()).orElseThrow() + "; the plan needs CUDA "
                            + required.cudaMajor() + ": " + required.driverVersion() + " or newer")
                    : CheckResult.fail("driver", "NVIDIA " + d.version() + " (" + d.source() + ") is older than "
                            + required.driverVersion() + ", the oldest that runs CUDA " + required.cudaMajor()
                            + ": upgrade the driver"));
        }
        results.add(libcuda(host, "it comes with the driver (libnvidia-compute-<branch> on Debian and Ubuntu); in a"
                + " container, start it with the NVIDIA container toolkit (--gpus / a device request)"));
        // Which NVRTC counts depends on the CUDA the driver runs; with no driver, or one too old (its own FAIL line),
        // the NVRTC line still says whether one is installed, claiming nothing about the driver.
        var runs = driver.map(d -> newestCudaMajor(d.version()).orElse(0)).orElse(0);
        results.add(runs >= required.cudaMajor()
                ? nvrtc(host, required.cudaMajor(), runs, driver.orElseThrow().version())
                : nvrtc(host, required.cudaMajor(), CudaDrivers.MINIMUMS.getLast().cudaMajor(), null));
        return results;
    }

    private static List<CheckResult> jetson(Plan plan, SystemProbe host) {
        int major = cudaMajor(plan);
        return List.of(
                CheckResult.skip("driver", "a Jetson's driver is part of L4T: the l4t line checks its release"),
                libcuda(host, "L4T installs it (nvidia-l4t-cuda, /usr/lib/aarch64-linux-gnu/nvidia); reflash or"
                        + " reinstall JetPack; in a container, use --runtime nvidia"),
                nvrtc(host, major, major, null));
    }

    /** The CUDA major the plan's backend compiles for; the oldest the table knows when the plan does not say. */
    static int cudaMajor(Plan plan) {
        var req = plan.requirements();
        return req == null || req.minCudaVersion() == null ? CudaDrivers.MINIMUMS.getFirst().cudaMajor()
                : CudaDrivers.forCudaVersion(req.minCudaVersion()).cudaMajor();
    }

    /** The loaded kernel module's version from /proc, else what nvidia-smi reports. */
    static Optional<Driver> driver(SystemProbe host) {
        var proc = host.readFile(PROC_VERSION).flatMap(DriverChecks::parseProcVersion);
        if (proc.isPresent()) return proc.map(v -> new Driver(v, PROC_VERSION.toString()));
        return host.run(NVIDIA_SMI_DRIVER).flatMap(DriverChecks::parseNvidiaSmiDriver)
                .map(v -> new Driver(v, "nvidia-smi"));
    }

    /**
     * The version on the "NVRM version:" line, e.g. 550.90.07 of
     * {@code NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.90.07  Fri May 31 09:35:42 UTC 2024} and of the open
     * module's {@code NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  570.86.15  Release Build ...}: the
     * first word that is only digits and dots.
     */
    static Optional<String> parseProcVersion(String text) {
        for (var line : text.split("\n")) {
            if (!line.startsWith("NVRM version:")) continue;
            for (var word : line.substring("NVRM version:".length()).trim().split("\\s+")) {
                if (word.matches("\\d+\\.\\d+(\\.\\d+)?")) return Optional.of(word);
            }
        }
        return Optional.empty();
    }

    /** The first line of {@code nvidia-smi --query-gpu=driver_version --format=csv,noheader}: every GPU has the same. */
    static Optional<String> parseNvidiaSmiDriver(String csv) {
        return csv.lines().map(String::trim).filter(l -> l.matches("\\d+\\.\\d+(\\.\\d+)?")).findFirst();
    }

    /** The newest CUDA major the driver runs, by {@link CudaDrivers}; empty when it runs none of them. */
    static OptionalInt newestCudaMajor(String driverVersion) {
        return CudaDrivers.MINIMUMS.stream().filter(m -> Versions.atLeast(driverVersion, m.driverVersion()))
                .mapToInt(CudaDrivers.Minimum::cudaMajor).max();
    }

    private static CheckResult libcuda(SystemProbe host, String remedy) {
        return host.canLoadLibrary(LIBCUDA)
                ? CheckResult.pass("libcuda", LIBCUDA + " loads: the GPU backends can reach the driver")
                : CheckResult.fail("libcuda", LIBCUDA + " does not load: " + remedy);
    }

    /**
     * NVRTC of a major from {@code newest} down to {@code oldest}, the newest that loads; one newer than the driver
     * runs is named so the operator knows why it does not count.
     */
    private static CheckResult nvrtc(SystemProbe host, int oldest, int newest, String driverVersion) {
        var tried = new ArrayList<String>();
        String tooNew = null;
        for (int i = CudaDrivers.MINIMUMS.size() - 1; i >= 0; i--) {
            int major = CudaDrivers.MINIMUMS.get(i).cudaMajor();
            if (major < oldest) continue;
            var soname = "libnvrtc.so." + major;
            var found = host.canLoadLibrary(soname) ? soname
                    : host.canLoadLibrary(TOOLKIT_LIB + soname) ? TOOLKIT_LIB + soname : null;
            if (found == null) {
                if (major <= newest) tried.add(soname);
            } else if (major > newest) {
                tooNew = found;
            } else {
                return CheckResult.pass("nvrtc", found + " loads: kernels compile for CUDA " + major
                        + (driverVersion == null ? "" : ", which driver " + driverVersion + " runs"));
            }
        }
        var install = "install NVRTC " + oldest + " (cuda-nvrtc-" + oldest + "-<minor> from NVIDIA's CUDA repository or"
                + " JetPack, or pip nvidia-cuda-nvrtc-cu" + oldest + " with its nvidia/cuda_nvrtc/lib on"
                + " LD_LIBRARY_PATH)";
        if (tooNew != null) {
            return CheckResult.fail("nvrtc", tooNew + " loads, but " + (driverVersion == null ? "this box's driver"
                    : "driver " + driverVersion) + " runs CUDA " + newest
                    + " at most: " + install + ", or upgrade the driver");
        }
        return CheckResult.fail("nvrtc", "no NVRTC: " + String.join(", ", tried) + " not found by the dynamic loader"
                + " nor in " + TOOLKIT_LIB + "; " + install);
    }
}
