package ai.appliance.runtime.cli;

import ai.appliance.runtime.backend.WorkerPool;
import ai.appliance.runtime.engine.ContextOverflowException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import ai.appliance.runtime.backend.Backends;
import ai.appliance.runtime.loading.LanguageModels;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code appliance logits}: the model's raw next-token logits after a list of token ids. */
@Command(name = "logits", mixinStandardHelpOptions = true,
        description = "Prints the logits after the last of the given token ids as a JSON array (one value per vocabulary entry).")
public final class LogitsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "PATH", description = "GGUF file or Hugging Face checkpoint folder.")
    Path model;

    @Option(names = "--device-dir", paramLabel = "DIR",
            description = "Enrolled device folder: decrypts a model encrypted at rest (provision encrypt-model).")
    Path deviceDir;

    @Option(names = "--ids", required = true, split = ",", paramLabel = "ID", description = "Token ids, comma-separated.")
    int[] ids;

    @Option(names = "--threads", paramLabel = "N", description = "Compute threads (default: physical cores).")
    Integer threads;

    @Option(names = "--backend", paramLabel = "NAME", defaultValue = Backends.DEFAULT,
            description = "Compute backend by name (default: ${DEFAULT-VALUE}; installed ones are listed when a name is unknown).")
    String backend;

    @Override
    public Integer call() {
        try (var files = EncryptedModels.open(model, deviceDir);
             var transformer = LanguageModels.open(files, backend, threads != null ? threads : 0)) {
            int context = files.config().contextLength();
            if (ids.length > context) throw new ContextOverflowException(0, ids.length, context);
            var sequence = transformer.newSequence(ids.length);
            var logits = transformer.forward(List.of(sequence), List.of(ids))[0];
            var out = spec.commandLine().getOut();
            out.println(new ObjectMapper().writeValueAsString(logits));
            out.flush();
            sequence.close();
            return 0;
        } catch (Exception e) {
            return CommandFailure.report(spec, e);
        }
    }
}
