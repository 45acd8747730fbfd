package ai.appliance.runtime.cli;

import ai.appliance.runtime.backend.WorkerPool;
import ai.appliance.runtime.engine.Sequence;
import ai.appliance.runtime.model.ModelFiles;
import ai.appliance.runtime.transformer.Transformer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code appliance bench}: prompt-processing and decode speed, as llama-bench's pp/tg tests measure them. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measures prompt processing (pp) and decode (tg) tokens/s of a model on this machine's CPU.")
public final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "PATH", description = "GGUF file or Hugging Face checkpoint folder.")
    Path model;

    @Option(names = "--prompt-tokens", paramLabel = "N", defaultValue = "128", description = "Prompt length (default: ${DEFAULT-VALUE}).")
    int promptTokens;

    @Option(names = "--gen-tokens", paramLabel = "N", defaultValue = "64", description = "Decoded tokens (default: ${DEFAULT-VALUE}).")
    int genTokens;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "1", description = "Sequences decoded together (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--repetitions", paramLabel = "N", defaultValue = "3", description = "Runs; the best is reported (default: ${DEFAULT-VALUE}).")
    int repetitions;

    @Option(names = "--threads", paramLabel = "N", description = "Compute threads (default: physical cores).")
    Integer threads;

    @Override
    public Integer call() {
        try (var files = ModelFiles.open(model);
             var transformer = Transformer.onCpu(files, threads != null ? threads : WorkerPool.physicalCores())) {
            var out = spec.commandLine().getOut();
            out.println("model " + model + ", " + transformer.backend().description());
            int vocabulary = files.config().vocabularySize();
            var prompt = new int[promptTokens];
            for (int i = 0; i < prompt.length; i++) prompt[i] = (int) ((i * 2654435761L) % vocabulary);
            double bestPrompt = 0;
            double bestDecode = 0;
            for (int r = 0; r < repetitions; r++) {
                var sequences = new ArrayList<Sequence>();
                for (int s = 0; s < batch; s++) sequences.add(transformer.newSequence(promptTokens + genTokens));
                long t0 = System.nanoTime();
                transformer.forward(List.of(sequences.getFirst()), List.of(prompt));
                long t1 = System.nanoTime();
                for (int s = 1; s < batch; s++) transformer.forward(List.of(sequences.get(s)), List.of(prompt));
                var next = new ArrayList<int[]>();
                for (int s = 0; s < batch; s++) next.add(new int[] {1});
                long t2 = System.nanoTime();
                for (int i = 0; i < genTokens; i++) transformer.forward(sequences, next);
                long t3 = System.nanoTime();
                sequences.forEach(Sequence::close);
                double pp = promptTokens * 1e9 / (t1 - t0);
                double tg = (double) genTokens * batch * 1e9 / (t3 - t2);
                out.println(String.format(Locale.ROOT, "run %d: pp%d %.2f tok/s, tg%d (batch %d) %.2f tok/s", r + 1,
                        promptTokens, pp, genTokens, batch, tg));
                out.flush();
                bestPrompt = Math.max(bestPrompt, pp);
                bestDecode = Math.max(bestDecode, tg);
            }
            out.println(String.format(Locale.ROOT, "best: pp%d %.2f tok/s, tg%d %.2f tok/s", promptTokens, bestPrompt, genTokens, bestDecode));
            return 0;
        } catch (Exception e) {
            return CommandFailure.report(spec, e);
        }
    }
}
