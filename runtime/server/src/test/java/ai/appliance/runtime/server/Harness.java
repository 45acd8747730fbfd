package ai.appliance.runtime.server;

import java.util.concurrent.Future;
import java.util.concurrent.Executors;
import java.util.Set;
import java.util.List;
import java.util.ArrayList;
import ai.appliance.runtime.sampling.SamplerSettings;
import ai.appliance.runtime.generation.TokenTextDecoder;
import ai.appliance.runtime.generation.Generator;
import ai.appliance.runtime.generation.GenerationSettings;
import ai.appliance.runtime.engine.LanguageModel;
import ai.appliance.runtime.chat.ReasoningSplitter;
import ai.appliance.runtime.chat.PromptFormat;
import ai.appliance.runtime.chat.ChatMessage;
import ai.appliance.runtime.config.ApplianceConfig;
import ai.appliance.runtime.testing.Fixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Starts the whole appliance in-process on free ports, serving the fixtures' tiny Qwen2 Q8_0 GGUF through the
 * real engine (no test doubles), with MQTT off unless a test asks for it.
 */
public final class Harness implements AutoCloseable {

    public static final ObjectMapper JSON = new ObjectMapper();
    public static final String MODEL = "tiny-qwen2";

    public final Path dir;
    public final Appliance appliance;
    public final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    public final URI base;

    private Harness(Path dir, Appliance appliance) {
        this.dir = dir;
        this.appliance = appliance;
        this.base = URI.create("http://127.0.0.1:" + appliance.server().port());
    }

    public static Map<String, String> defaults(Path dir) {
        var m = new LinkedHashMap<String, String>();
        m.put("server.port", "0");
        m.put("grpc.port", "0");
        m.put("mqtt.enabled", "false");
        m.put("store.root", dir.resolve("store").toString());
        m.put("models.0.name", MODEL);
        m.put("models.0.version", "q8_0");
        m.put("models.0.path", Fixtures.model("tiny-qwen2").resolve("tiny-qwen2-q8_0.gguf").toString());
        m.put("engine.threads", "1");
        m.put("shutdown.grace", "PT5S");
        m.put("scheduler.max-wait", "5");
        return m;
    }

    public static Harness start(Map<String, String> overrides) {
        Path dir;
        try {
            dir = Files.createTempDirectory("appliance-server-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return start(dir, overrides);
    }

    public static Harness start(Path dir, Map<String, String> overrides) {
        var settings = defaults(dir);
        settings.putAll(overrides);
        if ("none".equals(overrides.get("models"))) {
            settings.keySet().removeIf(k -> k.startsWith("models"));
        }
        var config = ApplianceConfig.from(Config.builder().disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource().addSource(ConfigSources.create(settings)).build());
        return new Harness(dir, Appliance.start(config));
    }

    public static int freePort() {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        var builder = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        return http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(String path, String... headers) throws Exception {
        var builder = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        return http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    public static JsonNode json(String text) throws IOException {
        return JSON.readTree(text);
    }

    /**
     * The greedy answer ("reasoning|content") of each prompt from the engine's own single-sequence loop (Generator),
     * no scheduler involved: what a served model must answer whether or not requests are batched together.
     */
    public static List<String> engineAnswers(LanguageModel engine, PromptFormat format, List<String> prompts, int maxTokens) {
        var answers = new ArrayList<String>();
        for (var p : prompts) {
            var rendered = format.render(List.of(ChatMessage.user(p)));
            var decoder = format.tokenizer().newStreamingDecoder();
            var result = new Generator(engine).generate(format.encodePrompt(rendered),
                    new GenerationSettings(SamplerSettings.greedy(), maxTokens, List.of(), Set.of(format.tokenizer().eosId())),
                    new TokenTextDecoder() {
                        @Override
                        public String decode(int token) {
                            return decoder.push(token);
                        }

                        @Override
                        public String flush() {
                            return decoder.flush();
                        }
                    }, 1024, step -> { });
            var split = ReasoningSplitter.split(rendered, result.text());
            answers.add(split.reasoning() + "|" + split.content());
        }
        return answers;
    }

    /** Sends every prompt at once as a greedy chat completion and returns each answer as "reasoning|content". */
    public List<String> concurrentAnswers(String model, List<String> prompts, int maxTokens) throws Exception {
        try (var pool = Executors.newFixedThreadPool(prompts.size())) {
            var futures = new ArrayList<Future<String>>();
            for (var p : prompts) {
                futures.add(pool.submit(() -> {
                    var res = post("/v1/chat/completions", "{\"model\":\"" + model + "\",\"temperature\":0,\"max_tokens\":"
                            + maxTokens + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + p + "\"}]}");
                    if (res.statusCode() != 200) throw new IllegalStateException(res.statusCode() + " " + res.body());
                    var m = json(res.body()).at("/choices/0/message");
                    return m.path("reasoning_content").asText("") + "|" + m.get("content").asText();
                }));
            }
            var answers = new ArrayList<String>();
            for (var f : futures) answers.add(f.get());
            return answers;
        }
    }

    @Override
    public void close() {
        appliance.close();
    }
}
