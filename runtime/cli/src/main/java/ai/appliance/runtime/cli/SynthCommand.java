package ai.appliance.runtime.cli;

import ai.appliance.common.OutputFile;
import ai.appliance.common.ProgressBar;
import ai.appliance.runtime.gguf.GgufWriter;
import ai.appliance.runtime.synth.SyntheticModelSpec;
import ai.appliance.runtime.synth.SyntheticModelWriter;
import ai.appliance.runtime.tensor.GgmlType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import ai.appliance.runtime.loading.ArchitectureRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code appliance synth}: a random-weight GGUF shaped exactly like a real DeepSeek-R1 distill. */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = "Write a random-weight GGUF with the exact shapes and metadata of a real DeepSeek-R1 distill "
                + "(for demos and benchmarks without downloading weights; its output is noise).")
public final class SynthCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true,
            description = "deepseek-r1-distill-qwen-1.5b, deepseek-r1-distill-qwen-7b or deepseek-r1-distill-llama-8b")
    String model;

    @Option(names = "--type", defaultValue = "q8_0",
            description = "q8_0, q4_0, q4_k, q6_k, f16 or bf16 (default ${DEFAULT-VALUE})")
    String type;

    @Option(names = "--out", required = true, description = "GGUF file to write")
    Path out;

    @Option(names = "--force", description = "replace --out if it exists")
    boolean force;

    @Option(names = "--seed", defaultValue = "42", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--layers", description = "write only this many transformer blocks (a cut-down test variant)")
    Integer layers;

    @Override
    public Integer call() {
        var err = spec.commandLine().getErr();
        var chosen = ArchitectureRegistry.standard().syntheticModels().get(model);
        if (chosen == null) {
            err.println("synth: unknown --model '" + model + "'; choose one of " + ArchitectureRegistry.standard().syntheticModels().keySet());
            return 2;
        }
        var ggmlType = SyntheticModelWriter.types().stream()
                .filter(t -> t.name().equalsIgnoreCase(type)).findFirst().orElse(null);
        if (ggmlType == null) {
            err.println("synth: unknown --type '" + type + "'; choose q8_0, q4_0, q4_k, q6_k, f16 or bf16");
            return 2;
        }
        if (layers != null) {
            if (layers < 1 || layers > chosen.config().layerCount()) {
                err.println("synth: --layers must be between 1 and " + chosen.config().layerCount());
                return 2;
            }
            chosen = chosen.withLayers(layers);
        }
        try {
            OutputFile.requireReplaceable(out, force);
        } catch (IllegalArgumentException e) {
            err.println("synth: " + e.getMessage());
            return 2;
        }
        var writer = new GgufWriter();
        SyntheticModelWriter.plan(chosen, ggmlType, seed, writer);
        var bar = ProgressBar.bytes(System.err, "synth", writer.tensorBytes());
        try {
            writer.write(out, bar::update);
        } catch (IOException e) {
            err.println("synth: cannot write " + out + ": " + e.getMessage());
            return 1;
        }
        bar.close();
        spec.commandLine().getOut().println("wrote " + out + ": " + chosen.displayName() + " shapes, random weights, "
                + type + ", " + chosen.config().layerCount() + " layers");
        return 0;
    }
}
