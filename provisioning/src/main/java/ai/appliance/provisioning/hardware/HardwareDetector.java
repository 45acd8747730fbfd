package ai.appliance.provisioning.hardware;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Builds a {@link HardwareReport} from /proc, the device tree, /etc/nv_tegra_release and nvidia-smi.
 * Every source is optional: a box without NVIDIA hardware yields a report with no GPUs and no Jetson.
 */
public final class HardwareDetector {

    /** The SIMD flags the CPU backend can use, in the spelling /proc/cpuinfo uses (x86 "flags", Arm "Features"). */
    private static final List<String> SIMD_OF_INTEREST = List.of(
            "sse4_2", "avx", "avx2", "fma", "f16c", "avx_vnni", "avx512f", "avx512bw", "avx512vl", "avx512_vnni",
            "avx512_bf16", "avx512_fp16", "amx_tile", "amx_bf16", "amx_int8",
            "asimd", "asimdhp", "asimddp", "fphp", "i8mm", "bf16", "sve", "sve2", "svei8mm", "svebf16");

    /** Arm "CPU part" ids of cores found in Jetsons and Arm servers (Arm cores print no "model name"). */
    private static final Map<String, String> ARM_PARTS = Map.of(
            "0xd42", "Arm Cortex-A78AE", "0xd41", "Arm Cortex-A78", "0xd08", "Arm Cortex-A72",
            "0xd05", "Arm Cortex-A55", "0xd0c", "Arm Neoverse-N1", "0xd40", "Arm Neoverse-V1",
            "0xd4f", "Arm Neoverse-V2", "0x004", "NVIDIA Carmel");

    private static final List<String> NVIDIA_SMI_QUERY = List.of("nvidia-smi",
            "--query-gpu=index,name,memory.total,driver_version,compute_cap", "--format=csv,noheader,nounits");
    private static final Pattern CUDA_VERSION = Pattern.compile("CUDA Version:\\s*([0-9.]+)");
    private static final Pattern NVLINK_GPU = Pattern.compile("^GPU (\\d+):");
    private static final Pattern NVLINK_ACTIVE = Pattern.compile("Link \\d+:\\s*[0-9.]+\\s*GB/s");
    private static final Pattern TEGRA_RELEASE = Pattern.compile("R(\\d+) \\(release\\), REVISION: ([0-9.]+)");
    private static final long MIB = 1024L * 1024;

    private final SystemProbe probe;

    public HardwareDetector(SystemProbe probe) {
        this.probe = probe;
    }

    public HardwareReport detect(Path dataDirectory) {
        var meminfo = probe.readFile(Path.of("/proc/meminfo")).orElse("");
        long total = meminfoBytes(meminfo, "MemTotal");
        long available = meminfoBytes(meminfo, "MemAvailable");
        if (total == 0) total = osTotalMemory(); // no /proc/meminfo (not Linux, or a sandbox): ask the JVM
        var cpu = parseCpu(probe.readFile(Path.of("/proc/cpuinfo")).orElse(""), probe.availableProcessors());
        var jetson = detectJetson(total);
        var gpus = jetson == null ? detectGpus() : List.<HardwareReport.NvidiaGpu>of();
        return new HardwareReport(probe.hostname(), probe.architecture(), cpu, total, available,
                dataDirectory.toAbsolutePath().toString(), probe.freeDiskBytes(dataDirectory), gpus, jetson);
    }

    private static long osTotalMemory() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean bean ? bean.getTotalMemorySize() : 0;
    }

    static long meminfoBytes(String meminfo, String key) {
        for (var line : meminfo.split("\n")) {
            if (line.startsWith(key + ":")) {
                var value = line.substring(key.length() + 1).trim().split("\\s+")[0];
                return Long.parseLong(value) * 1024; // /proc/meminfo counts kB = KiB
            }
        }
        return 0;
    }

    static HardwareReport.Cpu parseCpu(String cpuinfo, int fallbackCores) {
        String model = null;
        String armPart = null;
        int processors = 0;
        var flags = new LinkedHashSet<String>();
        for (var line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) continue;
            var key = line.substring(0, colon).trim();
            var value = line.substring(colon + 1).trim();
            switch (key) {
                case "processor" -> processors++;
                case "model name" -> { if (model == null) model = value; }
                case "CPU part" -> { if (armPart == null) armPart = value.toLowerCase(Locale.ROOT); }
                case "flags", "Features" -> flags.addAll(List.of(value.split("\\s+")));
                default -> { }
            }
        }
        if (model == null) model = armPart == null ? "unknown" : ARM_PARTS.getOrDefault(armPart, "Arm part " + armPart);
        var simd = SIMD_OF_INTEREST.stream().filter(flags::contains).toList();
        return new HardwareReport.Cpu(model, processors > 0 ? processors : fallbackCores, simd);
    }

    private HardwareReport.Jetson detectJetson(long totalRam) {
        var model = probe.readFile(Path.of("/proc/device-tree/model")).map(s -> s.replace("\0", "").trim());
        var release = probe.readFile(Path.of("/etc/nv_tegra_release"));
        boolean isJetson = model.map(m -> m.contains("Jetson")).orElse(false) || release.isPresent();
        if (!isJetson) return null;
        return new HardwareReport.Jetson(model.orElse("NVIDIA Jetson (unknown model)"),
                release.map(HardwareDetector::parseL4tRelease).orElse("unknown"), totalRam);
    }

    /** "# R36 (release), REVISION: 4.0, GCID: ..." is L4T 36.4.0. */
    static String parseL4tRelease(String nvTegraRelease) {
        var m = TEGRA_RELEASE.matcher(nvTegraRelease);
        if (!m.find()) return "unknown";
        var revision = m.group(2);
        return m.group(1) + "." + (revision.chars().filter(c -> c == '.').count() == 0 ? revision + ".0" : revision);
    }

    private List<HardwareReport.NvidiaGpu> detectGpus() {
        var csv = probe.run(NVIDIA_SMI_QUERY);
        if (csv.isEmpty()) return List.of();
        var cuda = probe.run(List.of("nvidia-smi")).flatMap(HardwareDetector::parseCudaVersion).orElse("unknown");
        var links = probe.run(List.of("nvidia-smi", "nvlink", "--status")).map(HardwareDetector::parseActiveNvlinks)
                .orElse(Map.of());
        return parseGpus(csv.get(), cuda, links);
    }

    static Optional<String> parseCudaVersion(String nvidiaSmi) {
        var m = CUDA_VERSION.matcher(nvidiaSmi);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** Active links per GPU index from {@code nvidia-smi nvlink --status} ("Link 0: 26.562 GB/s" vs "<inactive>"). */
    static Map<Integer, Integer> parseActiveNvlinks(String status) {
        var counts = new java.util.TreeMap<Integer, Integer>();
        Integer gpu = null;
        for (var line : status.split("\n")) {
            var g = NVLINK_GPU.matcher(line);
            if (g.find()) {
                gpu = Integer.parseInt(g.group(1));
                counts.put(gpu, 0);
            } else if (gpu != null && NVLINK_ACTIVE.matcher(line).find()) {
                counts.merge(gpu, 1, Integer::sum);
            }
        }
        return counts;
    }

    static List<HardwareReport.NvidiaGpu> parseGpus(String csv, String cudaVersion, Map<Integer, Integer> nvlinks) {
        var gpus = new ArrayList<HardwareReport.NvidiaGpu>();
        for (var line : csv.split("\n")) {
            if (line.isBlank()) continue;
            var f = line.split(",\\s*");
            if (f.length < 5) continue; // a line nvidia-smi printed for an error; the rest still counts
            try {
                int index = Integer.parseInt(f[0].trim());
                long memory = Long.parseLong(f[2].trim()) * MIB; // nounits: MiB
                gpus.add(new HardwareReport.NvidiaGpu(index, f[1].trim(), memory, f[3].trim(), cudaVersion,
                        f[4].trim(), nvlinks.getOrDefault(index, 0)));
            } catch (NumberFormatException e) {
                // "[N/A]" or "[Not Supported]" fields: skip that GPU rather than invent numbers
            }
        }
        return gpus;
    }
}
