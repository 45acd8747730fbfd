package ai.appliance.runtime.bench;

import ai.appliance.runtime.model.ModelWeights;
import ai.appliance.runtime.tensor.Tensor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A finished benchmark: what ran where, and the results, as a llama-bench style Markdown table
 * or JSON (field names follow llama-bench's JSON output where one exists: avg_ts, stddev_ts, samples_ts).
 *
 * @param peakResidentBytes the process's peak resident memory (VmHWM) after all tests, or -1
 * @param hugePageBytes bytes of the mapped model reached through 2 MiB pages ({@link Machine#hugePageMappedBytes}), or -1
 * @param decodeBytesPerToken weight bytes a decode step reads ({@link DecodeReads})
 * @param kvCacheBytesPerToken KV-cache bytes one position of one sequence takes (the architecture's count)
 * @param backend             the backend's name
 */
public record BenchReport(String model, long fileBytes, long parameters, String weightTypes, Machine machine,
                          double loadToFirstTokenMillis, long peakResidentBytes, long hugePageBytes,
                          long decodeBytesPerToken, long kvCacheBytesPerToken, String backend, List<BenchResult> results) {

    /** Weights counted once even where two roles share one tensor (tied embeddings). */
    public static long parameterCount(ModelWeights w) {
        long n = 0;
        for (var t : tensors(w)) n += t.elementCount();
        return n;
    }

    /** The weight types and how many tensors of each, e.g. "Q8_0 ×198, F32 ×113". */
    public static String weightTypes(ModelWeights w) {
        var counts = new TreeMap<String, Integer>();
        for (var t : tensors(w)) counts.merge(t.type().name(), 1, Integer::sum);
        var parts = new ArrayList<String>();
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .forEach(e -> parts.add(e.getKey() + " x" + e.getValue()));
        return String.join(", ", parts);
    }

    /** Every tensor of the model once, embedding first. */
    static List<Tensor> tensors(ModelWeights w) {
        return w.tensors();
    }

    /** "97 %" of the file in 2 MiB pages, or "n/a"; over 100 % cannot happen for the model alone, so it is capped. */
    String hugePageShare() {
        if (hugePageBytes < 0 || fileBytes <= 0) return "n/a";
        return String.format(Locale.ROOT, "%.0f %%", Math.min(100.0, 100.0 * hugePageBytes / fileBytes));
    }

    public String table() {
        var s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "CPU: %s, %d physical cores (%d logical), %.1f GiB memory, %d-bit vectors%n",
                machine.cpu(), machine.physicalCores(), machine.logicalCores(), machine.memoryBytes() / (double) (1L << 30),
                machine.vectorBits()));
        s.append(String.format(Locale.ROOT, "JVM: %s%n", machine.java()));
        s.append(String.format(Locale.ROOT, "load to first token: %.0f ms; peak RSS: %s; model in 2 MiB pages: %s; KV cache: %d bytes per token%n%n",
                loadToFirstTokenMillis,
                peakResidentBytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f MiB", peakResidentBytes / (double) (1 << 20)),
                hugePageShare(), kvCacheBytesPerToken));
        s.append("| model | size | params | types | backend | threads | test | t/s | weights read |\n");
        s.append("| --- | ---: | ---: | --- | --- | ---: | ---: | ---: | ---: |\n");
        for (var r : results) {
            s.append(String.format(Locale.ROOT, "| %s | %s | %.2f B | %s | %s | %d | %s | %.2f ± %.2f | %s |%n", model,
                    fileBytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f GiB", fileBytes / (double) (1L << 30)),
                    parameters / 1e9, weightTypes, backend, r.threads(), r.test().label(), r.tokensPerSecond().mean(),
                    r.tokensPerSecond().standardDeviation(), bandwidthCell(r)));
        }
        if (results.stream().anyMatch(r -> !Double.isNaN(r.bandwidthUse(decodeBytesPerToken)))) {
            s.append(String.format(Locale.ROOT, "%nweights read: %.2f GB per token × tokens/s, against the machine's memory read"
                    + " bandwidth with as many threads: the best pass of the probe's before and after the test (the limit decode"
                    + " cannot beat), and in brackets the median pass of the faster walk (what the host typically gave)%n",
                    decodeBytesPerToken / 1e9));
        }
        return s.toString();
    }

    /** "27.1 GB/s, 82 % of 33.0 (90 % of 30.1)" for decode tests; empty for the rest. */
    private String bandwidthCell(BenchResult r) {
        double use = r.bandwidthUse(decodeBytesPerToken);
        if (Double.isNaN(use)) return "";
        return String.format(Locale.ROOT, "%.1f GB/s, %.0f %% of %.1f (%.0f %% of %.1f)",
                use * r.read().bestBytesPerSecond() / 1e9, 100 * use, r.read().bestBytesPerSecond() / 1e9,
                100 * r.typicalBandwidthUse(decodeBytesPerToken), r.read().typicalBytesPerSecond() / 1e9);
    }

    public String json() {
        var root = new LinkedHashMap<String, Object>();
        root.put("model", model);
        root.put("model_size", fileBytes);
        root.put("model_n_params", parameters);
        root.put("weight_types", weightTypes);
        var m = new LinkedHashMap<String, Object>();
        m.put("cpu_info", machine.cpu());
        m.put("physical_cores", machine.physicalCores());
        m.put("logical_cores", machine.logicalCores());
        m.put("memory_bytes", machine.memoryBytes());
        m.put("java", machine.java());
        m.put("vector_bits", machine.vectorBits());
        root.put("machine", m);
        root.put("load_to_first_token_ms", loadToFirstTokenMillis);
        root.put("peak_rss_bytes", peakResidentBytes);
        root.put("file_pmd_mapped_bytes", hugePageBytes);
        root.put("decode_bytes_per_token", decodeBytesPerToken);
        root.put("kv_cache_bytes_per_token", kvCacheBytesPerToken);
        root.put("backend", backend);
        var rows = new ArrayList<Map<String, Object>>();
        for (var r : results) {
            var row = new LinkedHashMap<String, Object>();
            row.put("test", r.test().label());
            row.put("n_prompt", r.test().kind() == BenchTest.Kind.PROMPT ? r.test().tokens() : 0);
            row.put("n_gen", r.test().kind() == BenchTest.Kind.GENERATION ? r.test().tokens() : 0);
            row.put("n_sequences", r.test().sequences());
            row.put("n_threads", r.threads());
            row.put("avg_ts", r.tokensPerSecond().mean());
            row.put("stddev_ts", r.tokensPerSecond().standardDeviation());
            row.put("samples_ts", r.tokensPerSecond().samples());
            if (r.read().measured()) {
                row.put("read_bandwidth_bytes_per_s", r.read().bestBytesPerSecond());
                row.put("read_bandwidth_typical_bytes_per_s", r.read().typicalBytesPerSecond());
            }
            double use = r.bandwidthUse(decodeBytesPerToken);
            if (!Double.isNaN(use)) {
                row.put("bandwidth_use", use);
                row.put("bandwidth_use_of_typical", r.typicalBandwidthUse(decodeBytesPerToken));
            }
            rows.add(row);
        }
        root.put("results", rows);
        try {
            return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write the benchmark report as JSON", e);
        }
    }
}
