package ai.appliance.provisioning.doctor;

import ai.appliance.provisioning.hardware.HardwareReport;
import ai.appliance.provisioning.plan.Plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Does the box still match its plan: drivers, CUDA, compute capability, GPU count and memory, RAM, disk. */
final class PlanChecks {

    private PlanChecks() {
    }

    static List<CheckResult> run(HardwareReport report, Plan plan) {
        var results = new ArrayList<CheckResult>();
        var req = plan.requirements();
        switch (plan.backend()) {
            case "datacenter" -> {
                if (report.gpus().size() < plan.gpus()) {
                    results.add(CheckResult.fail("gpus", "plan needs " + plan.gpus() + " NVIDIA GPUs, nvidia-smi shows "
                            + report.gpus().size()));
                } else {
                    results.add(CheckResult.pass("gpus", report.gpus().size() + " x " + report.gpus().getFirst().name()));
                }
                for (var gpu : report.gpus()) {
                    var problems = new ArrayList<String>();
                    if (!Versions.atLeast(gpu.driverVersion(), req.minDriverVersion())) {
                        problems.add("driver " + gpu.driverVersion() + " < " + req.minDriverVersion());
                    }
                    if (!Versions.atLeast(gpu.cudaVersion(), req.minCudaVersion())) {
                        problems.add("driver supports CUDA " + gpu.cudaVersion() + " < " + req.minCudaVersion());
                    }
                    if (!Versions.atLeast(gpu.computeCapability(), req.minComputeCapability())) {
                        problems.add("compute capability " + gpu.computeCapability() + " < "
                                + req.minComputeCapability() + " (" + plan.quantization() + ")");
                    }
                    var name = "gpu" + gpu.index() + " driver";
                    results.add(problems.isEmpty()
                            ? CheckResult.pass(name, "driver " + gpu.driverVersion() + ", CUDA " + gpu.cudaVersion()
                                    + ", sm " + gpu.computeCapability())
                            : CheckResult.fail(name, String.join("; ", problems)));
                    results.add(gpu.memoryBytes() >= plan.memory().deviceBytes()
                            ? CheckResult.pass("gpu" + gpu.index() + " memory", gib(gpu.memoryBytes())
                                    + ", plan peak " + gib(plan.memory().peakBytes()))
                            : CheckResult.fail("gpu" + gpu.index() + " memory", gib(gpu.memoryBytes())
                                    + " but the plan was sized for " + gib(plan.memory().deviceBytes())));
                }
            }
            case "jetson" -> {
                var jetson = report.jetson();
                if (jetson == null) {
                    results.add(CheckResult.fail("jetson", "plan is for a Jetson, this box is not one"));
                } else {
                    results.add(Versions.atLeast(jetson.l4tRelease(), req.minL4tRelease())
                            ? CheckResult.pass("l4t", "L4T " + jetson.l4tRelease() + " (CUDA " + req.minCudaVersion()
                                    + " userspace)")
                            : CheckResult.fail("l4t", "L4T " + jetson.l4tRelease() + " < " + req.minL4tRelease()
                                    + ": flash JetPack 6 or newer"));
                }
                results.add(ram(report, plan));
            }
            default -> {
                var simd = report.cpu().simd();
                results.add(simd.contains("avx2") || simd.contains("asimd")
                        ? CheckResult.pass("cpu", report.cpu().model() + ", " + String.join(" ", simd))
                        : CheckResult.warn("cpu", "no AVX2 / ASIMD: the Vector API falls back to scalar code"));
                results.add(ram(report, plan));
            }
        }
        results.add(report.freeDiskBytes() >= plan.requiredDiskBytes()
                ? CheckResult.pass("disk", gib(report.freeDiskBytes()) + " free in " + report.dataDirectory()
                        + ", plan needs " + gib(plan.requiredDiskBytes()))
                : CheckResult.fail("disk", "only " + gib(report.freeDiskBytes()) + " free in " + report.dataDirectory()
                        + ", the model needs " + gib(plan.requiredDiskBytes()) + " (file + one copy)"));
        return results;
    }

    private static CheckResult ram(HardwareReport report, Plan plan) {
        long needed = plan.memory().peakBytes();
        if (report.totalRamBytes() < plan.memory().deviceBytes()) {
            return CheckResult.fail("memory", gib(report.totalRamBytes()) + " RAM but the plan was sized for "
                    + gib(plan.memory().deviceBytes()));
        }
        return report.availableRamBytes() >= needed
                ? CheckResult.pass("memory", gib(report.availableRamBytes()) + " available, plan peak " + gib(needed))
                : CheckResult.fail("memory", "only " + gib(report.availableRamBytes()) + " available now, plan peak "
                        + gib(needed) + ": stop other services or re-plan");
    }

    static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
    }
}
