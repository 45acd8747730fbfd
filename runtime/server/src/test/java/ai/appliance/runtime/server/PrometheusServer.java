package ai.appliance.runtime.server;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Debian's Prometheus ({@code /usr/bin/prometheus}, package prometheus, which ./test installs) as a child process
 * on a free loopback port with its own config and data folder. Missing, it fails the test: what it proves cannot be
 * proven without it.
 */
final class PrometheusServer implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private PrometheusServer(Process process, Path log, URI base) {
        this.process = process;
        this.log = log;
        this.base = base;
    }

    static Path requireBinary() {
        for (var candidate : List.of(Path.of("/usr/bin/prometheus"), Path.of("/usr/local/bin/prometheus"))) {
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return fail("prometheus is missing: install Debian's prometheus package (apt-get install prometheus; ./test does)");
    }

    /** Starts Prometheus with {@code config} (prometheus.yml text) and waits until it reports ready. */
    static PrometheusServer start(Path dir, String config) throws IOException, InterruptedException {
        var binary = requireBinary();
        Files.createDirectories(dir);
        var configFile = dir.resolve("prometheus.yml");
        Files.writeString(configFile, config);
        int port = Harness.freePort();
        var log = dir.resolve("prometheus.log");
        var process = new ProcessBuilder(binary.toString(), "--config.file=" + configFile,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--storage.tsdb.retention.time=1h", "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        var server = new PrometheusServer(process, log, URI.create("http://127.0.0.1:" + port));
        server.awaitReady();
        return server;
    }

    private void awaitReady() throws IOException, InterruptedException {
        for (int attempt = 0; attempt < 300; attempt++) {
            if (!process.isAlive()) {
                fail("prometheus exited with " + process.exitValue() + ": " + Files.readString(log));
            }
            try {
                var res = http.send(HttpRequest.newBuilder(base.resolve("/-/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (res.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        fail("prometheus did not become ready: " + Files.readString(log));
    }

    /** The {@code data.result} array of an instant query through the HTTP API ({@code /api/v1/query}). */
    JsonNode query(String promQl) throws IOException, InterruptedException {
        var uri = base.resolve("/api/v1/query?query=" + URLEncoder.encode(promQl, StandardCharsets.UTF_8));
        var res = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        var body = Harness.json(res.body());
        if (res.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
            fail("query " + promQl + " failed: " + res.statusCode() + " " + res.body());
        }
        return body.at("/data/result");
    }

    /** Health of each scrape target, for failure messages. */
    String targets() throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(base.resolve("/api/v1/targets")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
