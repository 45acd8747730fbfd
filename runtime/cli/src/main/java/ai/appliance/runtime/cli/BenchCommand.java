package ai.appliance.runtime.cli;

import ai.appliance.runtime.engine.LanguageModel;
import ai.appliance.common.ProgressBar;
import ai.appliance.runtime.backend.WorkerPool;
import ai.appliance.runtime.bench.Bench;
import ai.appliance.runtime.bench.BenchReport;
import ai.appliance.runtime.bench.BenchResult;
import ai.appliance.runtime.bench.BenchTest;
import ai.appliance.runtime.bench.DecodeReads;
import ai.appliance.runtime.bench.Machine;
import ai.appliance.runtime.bench.ReadBandwidth;
import ai.appliance.runtime.bench.ReadRate;
import ai.appliance.runtime.loading.ModelFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import ai.appliance.runtime.backend.BackendOptions;
import ai.appliance.runtime.backend.Backends;
import ai.appliance.runtime.loading.LanguageModels;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code appliance bench}: prompt-processing and generation speed in the manner of llama-bench. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measures prompt processing (pp N: an N-token prompt in one pass) and generation (tg N: N tokens "
                + "one at a time) in tokens/s, like llama-bench: one warm-up run, then mean ± sd over the repetitions.",
                "Token ids are random, so any model file works, synth ones included."})
public final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "PATH", description = "GGUF file or Hugging Face checkpoint folder.")
    Path model;

    @Option(names = {"-p", "--n-prompt"}, split = ",", paramLabel = "N", defaultValue = "512",
            description = "Prompt lengths to test, comma-separated; 0 skips (default: ${DEFAULT-VALUE}).")
    int[] prompt;

    @Option(names = {"-n", "--n-gen"}, split = ",", paramLabel = "N", defaultValue = "128",
            description = "Generation lengths to test, comma-separated; 0 skips (default: ${DEFAULT-VALUE}).")
    int[] generation;

    @Option(names = {"-s", "--sequences"}, split = ",", paramLabel = "N", defaultValue = "1",
            description = {"Sequences decoding side by side in each tg test, comma-separated (default: ${DEFAULT-VALUE}):",
                    "tokens/s then counts all of them, as the server's continuous batching would."})
    int[] sequences;

    @Option(names = {"-t", "--threads"}, split = ",", paramLabel = "N",
            description = "Thread counts to test, comma-separated (default: physical cores).")
    int[] threads;

    @Option(names = "--backend", paramLabel = "NAME", defaultValue = Backends.DEFAULT,
            description = "Compute backend by name (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = {"-r", "--repetitions"}, paramLabel = "N", defaultValue = "5",
            description = "Measured runs per test (default: ${DEFAULT-VALUE}).")
    int repetitions;

    @Option(names = "--json", description = "Print the results as one JSON object.")
    boolean json;

    /** Device copies of 2 GiB: far larger than any GPU's L2 cache, so the rate is memory's. */
    private static final long DEVICE_PROBE_BYTES = 2L << 30;

    @Override
    public Integer call() {
        try {
            var tests = tests();
            int[] threadCounts = threads != null ? threads : new int[]{WorkerPool.physicalCores()};
            for (int t : threadCounts) if (t < 1) throw new IllegalArgumentException("--threads must be at least 1, got " + t);
            long loadStart = System.nanoTime();
            try (var files = EncryptedModels.open(model)) {
                var reads = DecodeReads.of(files.weights());
                var results = new ArrayList<BenchResult>();
                double loadToFirstToken = Double.NaN;
                for (int t : threadCounts) {
                    var compute = Backends.open(backend, new BackendOptions(t));
                    var device = compute.device();
                    try (var transformer = LanguageModels.open(files, compute)) {
                        if (Double.isNaN(loadToFirstToken)) loadToFirstToken = firstToken(transformer, loadStart);
                        var bench = new Bench(transformer, repetitions);
                        for (var test : tests) {
                            long total = test.totalTokens() * (repetitions + Bench.warmUpRuns(test));
                            boolean decode = test.isSingleSequenceDecode();
                            // On a GPU the ceiling is the device's copy rate; on the CPU, the read probe's.
                            var passesBefore = decode && device == null ? ReadBandwidth.passes(reads.regions(), t) : null;
                            var deviceBefore = decode && device != null ? device.copyRates(DEVICE_PROBE_BYTES, 5) : null;
                            var bar = ProgressBar.count(spec.commandLine().getErr(), test.label() + " t=" + t, total, "tokens");
                            long[] done = {0};
                            var stats = bench.run(test, n -> {
                                if (n == test.totalTokens()) done[0] += n;
                                bar.update(done[0] + (n == test.totalTokens() ? 0 : n));
                            });
                            bar.close();
                            var read = !decode ? ReadRate.NOT_MEASURED : device == null
                                    ? ReadRate.of(passesBefore.and(ReadBandwidth.passes(reads.regions(), t)))
                                    : ReadRate.of(deviceBefore, device.copyRates(DEVICE_PROBE_BYTES, 5));
                            results.add(new BenchResult(test, t, stats, read));
                        }
                    }
                }
                var report = new BenchReport(model.getFileName().toString(), Files.isRegularFile(model) ? Files.size(model) : -1,
                        BenchReport.parameterCount(files.weights()), BenchReport.weightTypes(files.weights()), Machine.current(),
                        loadToFirstToken, Machine.residentMemory()[1], Machine.hugePageMappedBytes(), reads.bytesPerToken(),
                        files.config().kvCacheBytesPerToken(), backend, results);
                var out = spec.commandLine().getOut();
                out.print(json ? report.json() : report.table());
                out.flush();
                return 0;
            }
        } catch (Exception e) {
            return CommandFailure.report(spec, e);
        }
    }

    /** Milliseconds from the start of loading to the logits of a first one-token prompt. */
    private static double firstToken(LanguageModel transformer, long loadStart) {
        try (var sequence = transformer.newSequence(1)) {
            transformer.forward(List.of(sequence), List.of(new int[]{0}));
        }
        return (System.nanoTime() - loadStart) / 1e6;
    }

    private List<BenchTest> tests() {
        if (repetitions < 1) throw new IllegalArgumentException("--repetitions must be at least 1, got " + repetitions);
        var tests = new ArrayList<BenchTest>();
        for (int p : prompt) {
            if (p < 0) throw new IllegalArgumentException("--n-prompt must not be negative, got " + p);
            if (p > 0) tests.add(BenchTest.prompt(p));
        }
        for (int n : generation) {
            if (n < 0) throw new IllegalArgumentException("--n-gen must not be negative, got " + n);
            if (n == 0) continue;
            for (int s : sequences) {
                if (s < 1) throw new IllegalArgumentException("--sequences must be at least 1, got " + s);
                tests.add(BenchTest.generation(n, s));
            }
        }
        if (tests.isEmpty()) throw new IllegalArgumentException("nothing to measure: every --n-prompt and --n-gen is 0");
        return tests;
    }
}
