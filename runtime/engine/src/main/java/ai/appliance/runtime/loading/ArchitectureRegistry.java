package ai.appliance.runtime.loading;

import ai.appliance.runtime.arch.ModelArchitecture;
import ai.appliance.runtime.arch.UnknownArchitectureException;
import ai.appliance.runtime.arch.deepseek2.DeepSeek2Architecture;
import ai.appliance.runtime.arch.llama.LlamaArchitecture;
import ai.appliance.runtime.synth.SyntheticModelSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The architectures this engine runs, found by the names model files give them. */
public final class ArchitectureRegistry {
    private static final ArchitectureRegistry STANDARD = new ArchitectureRegistry(
            List.of(new LlamaArchitecture(), new DeepSeek2Architecture()));

    private final List<ModelArchitecture> architectures;
    private final Map<String, ModelArchitecture> byGgufName = new LinkedHashMap<>();
    private final Map<String, ModelArchitecture> byHuggingFaceName = new LinkedHashMap<>();

    public ArchitectureRegistry(List<ModelArchitecture> architectures) {
        this.architectures = List.copyOf(architectures);
        for (var a : architectures) {
            for (var n : a.ggufNames()) {
                if (byGgufName.putIfAbsent(n, a) != null) throw new IllegalArgumentException("two architectures read GGUF '" + n + "'");
            }
            for (var n : a.huggingFaceNames()) {
                if (byHuggingFaceName.putIfAbsent(n, a) != null) {
                    throw new IllegalArgumentException("two architectures read Hugging Face '" + n + "'");
                }
            }
        }
    }

    /** Every architecture the engine ships. */
    public static ArchitectureRegistry standard() {
        return STANDARD;
    }

    public List<ModelArchitecture> architectures() {
        return architectures;
    }

    /**
     * The family of a GGUF file's {@code general.architecture}.
     *
     * @throws UnknownArchitectureException naming the architecture and listing the supported ones
     */
    public ModelArchitecture forGguf(Path file, String name) {
        var a = byGgufName.get(name);
        if (a == null) throw new UnknownArchitectureException(file, name, new ArrayList<>(byGgufName.keySet()));
        return a;
    }

    /**
     * The family of a checkpoint's {@code architectures[0]} (or {@code model_type} when that is missing).
     *
     * @throws UnknownArchitectureException naming the architecture and listing the supported ones
     */
    public ModelArchitecture forHuggingFace(Path file, String name) {
        var a = byHuggingFaceName.get(name);
        if (a == null) {
            var supported = byHuggingFaceName.keySet().stream().filter(n -> n.endsWith("ForCausalLM")).toList();
            throw new UnknownArchitectureException(file, name, supported);
        }
        return a;
    }

    /** Every model {@code synth --model} writes, by id, in the order the architectures list them. */
    public Map<String, SyntheticModelSpec> syntheticModels() {
        var map = new LinkedHashMap<String, SyntheticModelSpec>();
        for (var a : architectures) for (var s : a.syntheticModels()) map.put(s.id(), s);
        return map;
    }

    /** The synthetic model {@code id}; an unknown id is an error listing the known ones. */
    public SyntheticModelSpec syntheticModel(String id) {
        var spec = syntheticModels().get(id);
        if (spec == null) throw new IllegalArgumentException("unknown model '" + id + "'; choose one of " + syntheticModels().keySet());
        return spec;
    }
}
