package ai.appliance.runtime.upstream;

import ai.appliance.runtime.net.ListenPort;
import ai.appliance.runtime.security.TlsSetup;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * How the appliance reaches one upstream: an HTTP/1.1 client with the upstream's TLS (trust bundle, client
 * certificate; host names verified) and the API key sent as {@code Authorization: Bearer}. Read once at start, so
 * a missing key file or environment variable stops {@code serve} with one line instead of failing every request.
 */
record UpstreamConnection(HttpClient client, String apiKey) implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(UpstreamConnection.class.getName());

    /** @param environment the process environment ({@code System::getenv}), where {@code api-key-env} is looked up */
    static UpstreamConnection open(UpstreamSettings settings, Function<String, String> environment) {
        var builder = HttpClient.newBuilder()
                // SSE over HTTP/1.1 is what vLLM, SGLang and the appliance serve; h2 would add nothing here.
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER);
        if (settings.tls() != null) {
            builder.sslContext(TlsSetup.clientContext(settings.tls()));
        }
        var key = apiKey(settings, environment);
        if (key != null && settings.url().getScheme().equals("http") && !ListenPort.isLoopback(settings.url().getHost())) {
            LOG.warning("upstream " + settings.name() + ": its API key goes to " + settings.url()
                    + " over plain HTTP, readable on the network; use https:// (models[].upstream.tls)");
        }
        return new UpstreamConnection(builder.build(), key);
    }

    static UpstreamConnection open(UpstreamSettings settings) {
        return open(settings, System::getenv);
    }

    private static String apiKey(UpstreamSettings settings, Function<String, String> environment) {
        var where = "models '" + settings.name() + "' upstream";
        if (settings.apiKeyEnv() != null) {
            var key = environment.apply(settings.apiKeyEnv());
            if (key == null || key.isBlank()) {
                throw new IllegalArgumentException(where + ": api-key-env names " + settings.apiKeyEnv()
                        + ", which is not set in the environment of serve");
            }
            return key.strip();
        }
        if (settings.apiKeyFile() != null) {
            try {
                var lines = Files.readAllLines(settings.apiKeyFile(), StandardCharsets.UTF_8);
                if (lines.isEmpty() || lines.getFirst().isBlank()) {
                    throw new IllegalArgumentException(where + ": api-key-file " + settings.apiKeyFile()
                            + " is empty; put the key on its first line");
                }
                return lines.getFirst().strip();
            } catch (IOException e) {
                throw new IllegalArgumentException(where + ": cannot read api-key-file " + settings.apiKeyFile()
                        + " (" + e.getClass().getSimpleName() + ")");
            }
        }
        return null;
    }

    /** Adds the key (when there is one) and the given headers. */
    HttpRequest.Builder authorized(HttpRequest.Builder request, Map<String, String> headers) {
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        headers.forEach(request::header);
        return request;
    }

    @Override
    public void close() {
        client.shutdownNow();
    }

    @Override
    public String toString() {
        // The key must never reach a log line through a record's generated toString.
        return "UpstreamConnection[key " + (apiKey == null ? "none" : "set") + "]";
    }
}
