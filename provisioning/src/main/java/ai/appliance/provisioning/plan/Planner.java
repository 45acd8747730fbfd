package ai.appliance.provisioning.plan;

import ai.appliance.provisioning.hardware.HardwareReport;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Chooses the best model that fits a box: models best first, each in the profile's formats best first, each at
 * the smallest tensor-parallel degree that fits; the first candidate that fits the memory budget with at least the
 * profile's minimum batch at its full context, and decodes no slower than the profile's floor, wins.
 * docs/provisioning.md gives the table this produces for the recorded reports.
 */
public final class Planner {

    /** Seed 000: 20% of device memory stays free for bursts, and nothing is ever planned above 85%. */
    public static final double STEADY_FRACTION = 0.80;
    public static final double PEAK_FRACTION = 0.85;
    /** Activations per prefill token: residual, norm output, attention output, q (4 x hidden) + gate/up (2 x inter), f32. */
    static final int ACTIVATION_BYTES = 4;

    private final ModelCatalog catalog;

    public Planner(ModelCatalog catalog) {
        this.catalog = catalog;
    }

    /** The profile a report calls for: a Jetson is edge, NVIDIA GPUs are production, anything else dev. */
    public static Profile profileFor(HardwareReport report) {
        if (report.jetson() != null) return Profile.EDGE;
        if (report.hasNvidiaGpus()) return Profile.PRODUCTION;
        return Profile.DEV;
    }

    public Plan plan(HardwareReport report) {
        return plan(report, profileFor(report));
    }

    public Plan plan(HardwareReport report, Profile profile) {
        var device = Device.of(report, profile);
        long usable = device.bytes - profile.osReserveBytes();
        long steadyLimit = (long) Math.floor(usable * STEADY_FRACTION);
        long peakLimit = (long) Math.floor(usable * PEAK_FRACTION);
        var rejected = new ArrayList<String>();
        for (var model : catalog.models()) {
            for (var format : profile.formatsFor(model)) {
                if (device.computeCapability < format.minComputeCapability()) {
                    rejected.add("%s %s: needs compute capability %.1f, GPUs have %.1f".formatted(model.id(), format,
                            format.minComputeCapability(), device.computeCapability));
                    continue;
                }
                String lastReason = null;
                for (int tp : tensorParallelDegrees(device.count, model)) {
                    var attempt = attempt(model, format, tp, profile, device, usable, steadyLimit, peakLimit);
                    if (attempt instanceof Fit(Plan plan)) {
                        return withRejected(plan, rejected, notes(report, profile, plan));
                    }
                    lastReason = ((Misfit) attempt).reason();
                }
                rejected.add(model.id() + " " + format + ": " + lastReason);
            }
        }
        throw new NoFittingModelException("no model fits this box under profile " + profile.name() + ": "
                + rejected.getLast(), rejected);
    }

    private static Plan withRejected(Plan p, List<String> rejected, List<String> notes) {
        return new Plan(p.profile(), p.backend(), p.model(), p.huggingFaceRepo(), p.architecture(), p.quantization(),
                p.gpus(), p.tensorParallel(), p.replicas(), p.contextLength(), p.maxSequences(),
                p.prefillChunkTokens(), p.memory(), p.decodeTokensPerSecondBound(), p.requiredDiskBytes(),
                p.requirements(), rejected, notes);
    }

    /** Caveats worth a line in plan.json: the numbers stand, but an operator should know these. */
    static List<String> notes(HardwareReport report, Profile profile, Plan plan) {
        var notes = new ArrayList<String>();
        if (plan.tensorParallel() > 1 && report.gpus().stream().anyMatch(g -> g.activeNvlinks() == 0)) {
            notes.add("tensor parallelism " + plan.tensorParallel() + " over PCIe (no active NVLink): every layer's "
                    + "all-reduce crosses PCIe, expect well below the decode bound");
        }
        if (report.gpus().size() > plan.tensorParallel() * plan.replicas() && profile.backend() == Backend.DATACENTER) {
            notes.add((report.gpus().size() - plan.tensorParallel() * plan.replicas()) + " GPU(s) left unused: the "
                    + "GPU count is not a multiple of the tensor-parallel degree");
        }
        if (profile.backend() == Backend.CPU) {
            notes.add("CPU memory bandwidth assumed " + MemoryBandwidth.ASSUMED_CPU_GBPS + " GB/s: /proc does not "
                    + "tell the channel count; the decode bound is an estimate");
        }
        if (plan.decodeTokensPerSecondBound() == null) {
            notes.add("no bandwidth known for this device: no decode-speed floor was applied");
        }
        return notes;
    }

    /** Powers of two up to the GPU count that split both the attention heads and the KV heads evenly. */
    static List<Integer> tensorParallelDegrees(int devices, ModelSpec model) {
        var degrees = new ArrayList<Integer>();
        for (int tp = 1; tp <= Math.max(1, devices); tp *= 2) {
            if (model.attentionHeads() % tp == 0 && model.kvHeads() % tp == 0) degrees.add(tp);
        }
        return degrees;
    }

    private sealed interface Attempt permits Fit, Misfit {
    }

    private record Fit(Plan plan) implements Attempt {
    }

    private record Misfit(String reason) implements Attempt {
    }

    private Attempt attempt(ModelSpec model, Quantization format, int tp, Profile profile, Device device,
                            long usable, long steadyLimit, long peakLimit) {
        long weightsTotal = format.bytesFor(model.parameters());
        long weights = ceilDiv(weightsTotal, tp);
        Double tokensPerSecond = null;
        if (device.bandwidthGbps.isPresent()) {
            double bound = device.bandwidthGbps.getAsDouble() * 1e9 * tp / format.bytesFor(model.activeParameters());
            tokensPerSecond = Math.round(bound * 10) / 10.0;
            if (bound < profile.minDecodeTokensPerSecond()) {
                return new Misfit("decodes at most %.1f tokens/s (%s GB/s), below the %s profile's floor of %.0f"
                        .formatted(bound, device.bandwidthGbps.getAsDouble(), profile.name(),
                                profile.minDecodeTokensPerSecond()));
            }
        }
        int context = Math.min(profile.contextLength(), model.maxContext());
        long kvPerToken = model.kvShardable() ? model.kvBytesPerToken() / tp : model.kvBytesPerToken();
        long perSequence = kvPerToken * context;
        long overhead = profile.runtimeOverheadBytes();
        long kvBudget = steadyLimit - weights - overhead;
        long sequences = kvBudget <= 0 ? 0 : Math.min(profile.maxSequences(), kvBudget / perSequence);
        long workspace = 0;
        for (; sequences >= profile.minSequences(); sequences--) {
            workspace = workspace(model, profile, tp, sequences);
            if (weights + overhead + sequences * perSequence + workspace <= peakLimit) break;
        }
        if (sequences < profile.minSequences()) {
            return new Misfit("weights %s + runtime %s + KV for %d x %d tokens %s exceed the steady limit %s (TP %d)"
                    .formatted(gib(weights), gib(overhead), profile.minSequences(), context,
                            gib(profile.minSequences() * perSequence), gib(steadyLimit), tp));
        }
        long kvCache = sequences * perSequence;
        long steady = weights + overhead + kvCache;
        var memory = new Plan.Memory(device.bytes, profile.osReserveBytes(), usable, steadyLimit, peakLimit, weights,
                overhead, kvPerToken, kvCache, workspace, steady, steady + workspace);
        int replicas = profile.backend() == Backend.DATACENTER ? device.count / tp : 1;
        return new Fit(new Plan(profile.name(), profile.backend().id(), model.id(), model.huggingFaceRepo(),
                model.architecture(), format, profile.backend() == Backend.DATACENTER ? device.count : 0, tp,
                replicas, context, (int) sequences, profile.prefillChunkTokens(), memory, tokensPerSecond,
                2 * weightsTotal, requirements(profile, format), List.of(), List.of()));
    }

    /** Transient memory: activations of one prefill chunk (split by TP) plus f32 logits for every sequence. */
    static long workspace(ModelSpec model, Profile profile, int tp, long sequences) {
        long perToken = (4L * model.hiddenSize() + 2L * model.intermediateSize()) * ACTIVATION_BYTES;
        return ceilDiv(profile.prefillChunkTokens() * perToken, tp) + sequences * model.vocabularySize() * 4L;
    }

    private static Plan.Requirements requirements(Profile profile, Quantization format) {
        return switch (profile.backend()) {
            // The backends compile their kernels for CUDA 12, so the driver must run CUDA 12 (CudaDrivers).
            case DATACENTER -> new Plan.Requirements(CudaDrivers.forCudaMajor(12).driverVersion(), "12.0",
                    String.format(Locale.ROOT, "%.1f", Math.max(7.0, format.minComputeCapability())), null);
            // JetPack 6 (L4T 36) brings CUDA 12.2 to Orin, the same CUDA major as the datacenter backend.
            case JETSON -> new Plan.Requirements(null, "12.2", "8.7", "36.0");
            case CPU -> new Plan.Requirements(null, null, null, null);
        };
    }

    static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
    }

    /** The memory one model replica's device sees, and how fast it reads. */
    private record Device(long bytes, int count, double computeCapability, OptionalDouble bandwidthGbps) {
        static Device of(HardwareReport report, Profile profile) {
            return switch (profile.backend()) {
                case DATACENTER -> {
                    if (!report.hasNvidiaGpus()) {
                        throw new NoFittingModelException("profile " + profile.name()
                                + " needs NVIDIA GPUs and the hardware report lists none", List.of());
                    }
                    // Tensor parallelism splits evenly, so the smallest GPU bounds every shard.
                    long smallest = report.gpus().stream().mapToLong(HardwareReport.NvidiaGpu::memoryBytes).min()
                            .orElseThrow();
                    double cc = report.gpus().stream().mapToDouble(g -> parseCapability(g.computeCapability()))
                            .min().orElse(0);
                    yield new Device(smallest, report.gpus().size(), cc,
                            MemoryBandwidth.gigabytesPerSecond(report.gpus().getFirst().name()));
                }
                case JETSON -> {
                    if (report.jetson() == null) {
                        throw new NoFittingModelException("profile " + profile.name()
                                + " needs a Jetson and the hardware report shows none", List.of());
                    }
                    yield new Device(report.jetson().unifiedMemoryBytes(), 1, 8.7,
                            MemoryBandwidth.gigabytesPerSecond(report.jetson().model()));
                }
                case CPU -> new Device(report.totalRamBytes(), 1, Double.MAX_VALUE,
                        OptionalDouble.of(MemoryBandwidth.ASSUMED_CPU_GBPS));
            };
        }
    }

    static double parseCapability(String cc) {
        try {
            return Double.parseDouble(cc);
        } catch (NumberFormatException | NullPointerException e) {
            return 0;
        }
    }

    public Optional<ModelSpec> model(String id) {
        return catalog.byId(id);
    }
}
