package ai.appliance.runtime.models;

import ai.appliance.runtime.loading.ArchitectureRegistry;
import ai.appliance.runtime.gguf.GgufWriter;
import ai.appliance.runtime.model.ModelConfig;
import ai.appliance.runtime.synth.SyntheticModelSpec;
import ai.appliance.runtime.synth.SyntheticModelWriter;
import ai.appliance.runtime.tensor.GgmlType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The model {@code serve} answers with when nothing else is configured: a cut-down random-weight
 * DeepSeek-R1-Distill-Qwen made by the synth writer (real tokenizer and chat template, tiny layers, about
 * 40 MB, written in seconds). Its answers are noise, and it says so everywhere it is listed.
 */
public final class DemoModel {

    public static final String NAME = "deepseek-r1-demo-random-weights";
    public static final String FILE = "deepseek-r1-demo-q8_0.gguf";
    public static final String NEXT_STEP = "this is a RANDOM-WEIGHT demo model: its answers are noise. For real answers"
            + " put a model in the store (./appliance sync run, see docs/formats.md), or quantize a Hugging Face"
            + " checkpoint with ./appliance quantize --help and list it under models: in the serve config";

    /** The synthetic model the demo is written from. */
    static final String SPEC_ID = "deepseek-r1-distill-qwen-1.5b-demo";

    private DemoModel() {
    }

    /** The demo GGUF under {@code <storeRoot>/demo/}, written first if missing. */
    public static Path ensure(Path storeRoot) {
        var file = storeRoot.resolve("demo").resolve(FILE);
        if (Files.isRegularFile(file)) {
            return file;
        }
        try {
            Files.createDirectories(file.getParent());
            var tmp = file.resolveSibling(FILE + ".tmp");
            var writer = new GgufWriter();
            SyntheticModelWriter.plan(spec(), GgmlType.Q8_0, 42, writer);
            writer.write(tmp, written -> { });
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the demo model " + file + ": " + e.getMessage(), e);
        }
    }

    /** The 1.5B distill's vocabulary and template with 2 small layers and tied embeddings. */
    static SyntheticModelSpec spec() {
        return ArchitectureRegistry.standard().syntheticModel(SPEC_ID);
    }
}
