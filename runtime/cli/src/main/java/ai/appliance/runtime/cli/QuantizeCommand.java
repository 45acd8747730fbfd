package ai.appliance.runtime.cli;

import ai.appliance.common.OutputFile;
import ai.appliance.common.ProgressBar;
import ai.appliance.runtime.gguf.GgufWriter;
import ai.appliance.runtime.loading.ModelFiles;
import ai.appliance.runtime.model.ModelFormatException;
import ai.appliance.runtime.quantize.GgufRequantizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import ai.appliance.runtime.tensor.GgmlType;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code appliance quantize}: an HF checkpoint (F32/F16/BF16) or F32/F16 GGUF to a Q8_0 GGUF llama.cpp can load. */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = "Write a GGUF Q8_0 model from a Hugging Face safetensors folder or an F32/F16 GGUF file.")
public final class QuantizeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, description = "HF checkpoint folder (config.json, *.safetensors, tokenizer.json) or .gguf file")
    Path model;

    @Option(names = "--out", required = true, description = "GGUF file to write")
    Path out;

    @Option(names = "--type", defaultValue = "q8_0", description = "matrix type: q8_0 (default) or q4_k (DeepSeek checkpoints)")
    String type;

    @Option(names = "--force", description = "replace --out if it exists")
    boolean force;

    @Override
    public Integer call() {
        var err = spec.commandLine().getErr();
        try {
            OutputFile.requireReplaceable(out, force);
        } catch (IllegalArgumentException e) {
            err.println("quantize: " + e.getMessage());
            return 2;
        }
        var matrixType = switch (type.toLowerCase(java.util.Locale.ROOT)) {
            case "q8_0" -> GgmlType.Q8_0;
            case "q4_k" -> GgmlType.Q4_K;
            default -> null;
        };
        if (matrixType == null) {
            err.println("quantize: unknown --type '" + type + "'; choose q8_0 or q4_k");
            return 2;
        }
        try (var source = EncryptedModels.open(model)) {
            var writer = new GgufWriter();
            if (source.format() == ModelFiles.Format.GGUF) {
                if (matrixType != GgmlType.Q8_0) {
                    err.println("quantize: a GGUF file is re-quantized to q8_0 only; convert from the checkpoint for " + type);
                    return 2;
                }
                GgufRequantizer.plan(source.gguf(), writer);
            } else {
                source.architecture().planGgufFromCheckpoint(source.config(), source.tensors(), writer, matrixType);
            }
            var bar = ProgressBar.bytes(System.err, "quantize", writer.tensorBytes());
            writer.write(out, bar::update);
            bar.close();
            spec.commandLine().getOut().println("wrote " + out + " (" + matrixType + ", " + source.config().architecture() + ", "
                    + source.config().layerCount() + " layers)");
            return 0;
        } catch (ModelFormatException e) {
            err.println("quantize: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("quantize: cannot write " + out + ": " + e.getMessage());
            return 1;
        }
    }
}
