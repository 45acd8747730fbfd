package ai.appliance.runtime.cli;

import ai.appliance.runtime.models.EngineModel;
import ai.appliance.runtime.server.Appliance;
import ai.appliance.common.ProgressBar;
import ai.appliance.runtime.config.ApplianceConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
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

    @Option(names = "--system-tokens", defaultValue = "0",
            description = "prepend a system prompt of about this many tokens, the same in every request, while each "
                    + "request's user message differs: what the prefix cache saves (default ${DEFAULT-VALUE}: none)")
    int systemTokens;

    @Option(names = "--prefix-cache", defaultValue = "on",
            description = "on or off: the in-process appliance's prefix cache (scheduler.prefix-cache.enabled; "
                    + "default ${DEFAULT-VALUE})")
    String prefixCache;

    @Option(names = "--watermark-key-file", paramLabel = "FILE",
            description = "mark every answer of the in-process appliance with this key (watermark.enabled), to measure"
                    + " what the watermark costs")
    Path watermarkKeyFile;

    @Option(names = {"-r", "--repetitions"}, defaultValue = "1",
            description = "sweeps over all stream counts; each row is then the median over them, and the sweeps "
                    + "interleave so a slow spell of a shared host hits every stream count alike (default ${DEFAULT-VALUE})")
    int repetitions;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        if ((model == null) == (url == null)) {
            err.println("bench-serve: give either --model (in-process) or --url (running server)");
            return 2;
        }
        if (!prefixCache.equals("on") && !prefixCache.equals("off")) {
            err.println("bench-serve: --prefix-cache is on or off, was " + prefixCache);
            return 2;
        }
        if (systemTokens < 0) {
            err.println("bench-serve: --system-tokens must not be negative");
            return 2;
        }
        if (repetitions < 1 || streams.isEmpty() || streams.stream().anyMatch(n -> n < 1)) {
            err.println("bench-serve: --repetitions and every --streams count must be at least 1");
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
            settings.put("scheduler.prefix-cache.enabled", Boolean.toString(prefixCache.equals("on")));
            if (threads != null) {
                settings.put("engine.threads", threads.toString());
            }
            if (watermarkKeyFile != null) {
                settings.put("watermark.enabled", "true");
                settings.put("watermark.key-file", watermarkKeyFile.toString());
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
        if (systemTokens > 0) {
            systemText = appliance != null
                    && appliance.server().catalog().route("bench").model() instanceof EngineModel served
                    ? systemPrompt(systemTokens, text -> served.tokenizer().encode(text).length)
                    : systemPrompt(systemTokens, text -> text.split(" ").length);
        }
        try {
            var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            round(http, base, 1, null); // warm-up: JIT and caches
            var rounds = new LinkedHashMap<Integer, List<ServeBenchRound>>();
            for (int rep = 1; rep <= repetitions; rep++) {
                for (int n : streams) {
                    var label = repetitions == 1 ? n + " streams" : n + " streams (sweep " + rep + "/" + repetitions + ")";
                    var bar = ProgressBar.count(System.err, label, (long) n * maxTokens, "tokens");
                    rounds.computeIfAbsent(n, k -> new ArrayList<>()).add(round(http, base, n, bar));
                    bar.close();
                }
            }
            var single = ServeBenchRound.Median.of(rounds.get(streams.getFirst()));
            out.printf("prompt %d tokens, up to %d generated per stream; decode = tokens after each stream's first "
                    + "token / time from its first to last token, summed over streams%s%n",
                    rounds.get(streams.getFirst()).getFirst().promptTokens(), maxTokens,
                    repetitions == 1 ? "" : "; each row the median of " + repetitions + " sweeps");
            out.println("streams  tokens  seconds  tokens/s  vs-1  ttft(s)  decode tokens/s  vs-1  cached prompt tokens");
            for (var entry : rounds.entrySet()) {
                var result = ServeBenchRound.Median.of(entry.getValue());
                out.printf(Locale.ROOT, "%7d  %6d  %7.2f  %8.1f  %4.2fx  %7.2f  %15.1f  %4.2fx  %20.0f%n", entry.getKey(), result.tokens(),
                        result.seconds(), result.endToEndRate(), result.endToEndRate() / single.endToEndRate() * streams.getFirst(),
                        result.meanTimeToFirstToken(), result.decodeRate(), result.decodeRate() / single.decodeRate() * streams.getFirst(),
                        result.meanCachedPromptTokens());
            }
            out.flush();
            return 0;
        } catch (ExecutionException e) {
            err.println("bench-serve: " + failure(e.getCause(), base));
            return 1;
        } finally {
            if (appliance != null) {
                appliance.close();
            }
        }
    }

    /** Runs n concurrent streaming requests and times each. */
    private ServeBenchRound round(HttpClient http, String base, int n, ProgressBar bar) throws Exception {
        var json = new ObjectMapper();
        long round = rounds.incrementAndGet();
        var chunks = new AtomicLong();
        long start = System.nanoTime();
        var futures = new ArrayList<Future<ServeBenchRound.Stream>>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                var body = requestBody(json, "Write a long story about a lighthouse."
                        + (systemTokens > 0 ? " (reader " + round + "-" + i + ")" : ""));
                futures.add(pool.submit(() -> {
                    var builder = HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                            .header("content-type", "application/json").timeout(Duration.ofMinutes(30))
                            .POST(HttpRequest.BodyPublishers.ofString(body));
                    if (apiKey != null) {
                        builder.header("authorization", "Bearer " + apiKey);
                    }
                    var res = http.send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
                    if (res.statusCode() != 200) {
                        String message;
                        try (var in = res.body()) {
                            message = json.readTree(in).at("/error/message").asText("");
                        } catch (IOException | RuntimeException unreadable) {
                            message = "";
                        }
                        throw new IllegalStateException("HTTP " + res.statusCode() + " from " + base
                                + (message.isEmpty() ? "" : ": " + message));
                    }
                    long tokens = 0;
                    long promptTokens = 0;
                    long cachedTokens = 0;
                    double first = Double.NaN;
                    try (var reader = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = reader.readLine()) != null) {
                            if (!line.startsWith("data: {")) {
                                continue;
                            }
                            var node = json.readTree(line.substring(6));
                            if (node.has("usage") && node.get("choices").isEmpty()) {
                                tokens = node.at("/usage/completion_tokens").asLong();
                                promptTokens = node.at("/usage/prompt_tokens").asLong();
                                cachedTokens = node.at("/usage/prompt_tokens_details/cached_tokens").asLong();
                                continue;
                            }
                            if (Double.isNaN(first) && hasText(node.at("/choices/0/delta"))) {
                                first = (System.nanoTime() - start) / 1e9;
                            }
                            if (bar != null) {
                                bar.update(chunks.incrementAndGet());
                            }
                        }
                    }
                    return new ServeBenchRound.Stream(tokens, promptTokens, cachedTokens, first,
                            (System.nanoTime() - start) / 1e9);
                }));
            }
            var timings = new ArrayList<ServeBenchRound.Stream>();
            for (var f : futures) {
                timings.add(f.get());
            }
            return new ServeBenchRound(timings, (System.nanoTime() - start) / 1e9);
        }
    }

    private final AtomicLong rounds = new AtomicLong();
    private String systemText;

    /**
     * A streaming chat request; with {@code --system-tokens}, after a system prompt that is the same for every request
     * (and user messages that are not, so that only the system prompt can be reused).
     */
    private String requestBody(ObjectMapper json, String user) {
        var root = json.createObjectNode();
        root.put("stream", true);
        root.putObject("stream_options").put("include_usage", true);
        root.put("max_tokens", maxTokens);
        root.put("temperature", 0.7);
        var messages = root.putArray("messages");
        if (systemTokens > 0) {
            messages.addObject().put("role", "system").put("content", systemText);
        }
        messages.addObject().put("role", "user").put("content", user);
        return root.toString();
    }

    /**
     * Plain English of {@code tokens} tokens as {@code count} counts them (the served model's tokenizer in-process;
     * words for a server elsewhere): words are added while the count stays within the target.
     */
    static String systemPrompt(int tokens, java.util.function.ToIntFunction<String> count) {
        var words = ("You are the assistant of a lighthouse keeper on a remote island. Answer briefly, name the "
                + "instruments you use, keep a calm tone, and log the weather, the sea state and every ship you see.")
                .split(" ");
        var text = new StringBuilder();
        for (int i = 0; ; i++) {
            int before = text.length();
            text.append(i == 0 ? "" : " ").append(words[i % words.length]);
            if (count.applyAsInt(text.toString()) > tokens) {
                text.setLength(before);
                return text.toString();
            }
        }
    }

    /** One line for a request that failed: no stack trace for an unreachable server or an HTTP error. */
    private static String failure(Throwable cause, String base) {
        if (cause instanceof ConnectException) {
            return "cannot connect to " + base + (cause.getMessage() == null ? " (connection refused)" : ": " + cause.getMessage());
        }
        if (cause instanceof HttpTimeoutException) {
            return "timed out waiting for " + base;
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    /** Whether a streamed delta carries generated text (answer or reasoning), not only the role. */
    private static boolean hasText(JsonNode delta) {
        return !delta.path("content").asText("").isEmpty() || !delta.path("reasoning_content").asText("").isEmpty();
    }
}
