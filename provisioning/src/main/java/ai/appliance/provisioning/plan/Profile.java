package ai.appliance.provisioning.plan;

import java.util.List;

/**
 * Seed 003's deployment profiles. Each fixes the backend and the service targets the planner sizes against;
 * docs/provisioning.md explains every number.
 *
 * @param formats weight formats in order of preference; {@code null} stands for "the model's native format"
 * @param osReserveBytes memory left to the operating system before any budget (unified and CPU memory only)
 * @param runtimeOverheadBytes per device: JVM and engine (CPU), plus CUDA context and library workspaces (GPU)
 * @param minDecodeTokensPerSecond bandwidth-roofline floor for one sequence; reasoning traces run to thousands
 *        of tokens, so a model slower than this is rejected for a smaller one
 */
public record Profile(
        String name,
        Backend backend,
        List<Quantization> formats,
        boolean nativeFormatFirst,
        int contextLength,
        int minSequences,
        int maxSequences,
        int prefillChunkTokens,
        long osReserveBytes,
        long runtimeOverheadBytes,
        double minDecodeTokensPerSecond) {

    static final long GIB = 1L << 30;
    static final long MIB = 1L << 20;

    public static final Profile DEV = new Profile("dev", Backend.CPU, List.of(Quantization.Q8_0, Quantization.Q4_K_M),
            false, 8192, 1, 4, 256, 2 * GIB, 512 * MIB, 5.0);
    public static final Profile EDGE = new Profile("edge", Backend.JETSON,
            List.of(Quantization.Q8_0, Quantization.Q4_K_M), false, 8192, 1, 4, 256, 1536 * MIB, 768 * MIB, 15.0);
    public static final Profile PRODUCTION = new Profile("production", Backend.DATACENTER,
            List.of(Quantization.Q8_0), true, 32768, 4, 256, 512, 0, GIB, 20.0);

    public static List<Profile> all() {
        return List.of(DEV, EDGE, PRODUCTION);
    }

    public static Profile byName(String name) {
        return all().stream().filter(p -> p.name.equalsIgnoreCase(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown profile '" + name
                        + "': use dev, edge or production"));
    }

    /** The formats to try for a model, best first. */
    public List<Quantization> formatsFor(ModelSpec model) {
        if (!nativeFormatFirst) return formats;
        var list = new java.util.ArrayList<Quantization>();
        list.add(model.nativeFormat());
        formats.stream().filter(f -> f != model.nativeFormat()).forEach(list::add);
        return list;
    }
}
