package ai.appliance.runtime.server;

import ai.appliance.runtime.cli.ProgressBar;
import ai.appliance.runtime.config.ApplianceConfig;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code appliance bench-serve}: aggregate generated tokens/s through the real server (HTTP, SSE, scheduler)
 * for several numbers of concurrent streaming clients. Measure on a quiet machine.
 */
@Command(name = "bench-serve", mixinStandardHelpOptions = true,
        description = "Serve benchmark: aggregate tokens/s for N concurrent streaming chat clients "
                + "(starts the appliance in-process with --model, or measures a running one with --url).")
public final class ServeBenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", description = "GGUF file or checkpoint folder to serve in-process")
    Path model;

    @Option(names = "--url", description = "base URL of a running appliance instead, e.g. http://127.0.0.1:8080")
    String url;

    @Option(names = "--api-key", description = "API key for --url")
    String apiKey;

    @Option(names = "--streams", defaultValue = "1,4,8,16", split = ",",
            description = "concurrent clients per round (default ${DEFAULT-VALUE})")
    List<Integer> streams;

    @Option(names = "--max-tokens", defaultValue = "64", description = "tokens per request (default ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--threads", description = "engine threads for --model (default: all cores)")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        if ((model == null) == (url == null)) {
            err.println("bench-serve: give either --model (in-process) or --url (running server)");
            return 2;
        }
        Appliance appliance = null;
        String base = url;
        if (model != null) {
            var settings = new LinkedHashMap<String, String>();
            settings.put("server.port", "0");
            settings.put("grpc.enabled", "false");
            settings.put("mqtt.enabled", "false");
            settings.put("audit.enabled", "false");
            settings.put("models.0.path", model.toString());
            settings.put("models.0.name", "bench");
            settings.put("scheduler.queue-capacity", "1024");
            if (threads != null) {
                settings.put("engine.threads", threads.toString());
            }
            try {
                appliance = Appliance.start(ApplianceConfig.from(Config.builder().disableEnvironmentVariablesSource()
                        .disableSystemPropertiesSource().addSource(ConfigSources.create(settings)).build()));
            } catch (RuntimeException e) {
                err.println("bench-serve: " + e.getMessage());
                return 1;
            }
            base = appliance.server().baseUrl();
        }
        try {
            var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            round(http, base, 1, null); // warm-up: JIT and caches
            double single = 0;
            out.println("streams  tokens  seconds  tokens/s  vs-1-stream");
            for (int n : streams) {
                var bar = new ProgressBar(System.err, n + " streams", (long) n * maxTokens, "tokens");
                var result = round(http, base, n, bar);
                bar.finish();
                double rate = result[0] / result[1];
                if (n == streams.getFirst()) {
                    single = rate / n;
                }
                out.printf("%7d  %6d  %7.2f  %8.1f  %10.2fx%n", n, (long) result[0], result[1], rate,
                        single > 0 ? rate / single : 0);
                out.flush();
            }
            return 0;
        } finally {
            if (appliance != null) {
                appliance.close();
            }
        }
    }

    /** Runs n concurrent streaming requests; returns {generated tokens, seconds}. */
    private double[] round(HttpClient http, String base, int n, ProgressBar bar) throws Exception {
        var json = new ObjectMapper();
        var body = "{\"stream\":true,\"stream_options\":{\"include_usage\":true},\"max_tokens\":" + maxTokens
                + ",\"temperature\":0.7,\"messages\":[{\"role\":\"user\",\"content\":\"Write a long story about a lighthouse.\"}]}";
        var chunks = new AtomicLong();
        long start = System.nanoTime();
        var futures = new ArrayList<Future<Long>>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(() -> {
                    var builder = HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                            .header("content-type", "application/json").timeout(Duration.ofMinutes(30))
                            .POST(HttpRequest.BodyPublishers.ofString(body));
                    if (apiKey != null) {
                        builder.header("authorization", "Bearer " + apiKey);
                    }
                    var res = http.send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
                    if (res.statusCode() != 200) {
                        throw new IllegalStateException("HTTP " + res.statusCode() + " from " + base);
                    }
                    long tokens = 0;
                    try (var reader = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = reader.readLine()) != null) {
                            if (!line.startsWith("data: {")) {
                                continue;
                            }
                            var node = json.readTree(line.substring(6));
                            if (node.has("usage") && node.get("choices").isEmpty()) {
                                tokens = node.at("/usage/completion_tokens").asLong();
                            } else if (bar != null) {
                                bar.update(chunks.incrementAndGet());
                            }
                        }
                    }
                    return tokens;
                }));
            }
            long total = 0;
            for (var f : futures) {
                total += f.get();
            }
            return new double[] {total, (System.nanoTime() - start) / 1e9};
        }
    }
}
