package ai.appliance.runtime.upstream;

import ai.appliance.runtime.security.TlsConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A model entry answered by an upstream: an OpenAI-compatible server (another appliance, vLLM, SGLang) reached over
 * HTTP(S) with its own TLS, client certificate and API key ({@code models[].upstream} in the serve config).
 *
 * @param name              the model entry's name: what clients ask for, and the upstream's name in audit and metrics
 * @param url               the upstream's OpenAI base URL, ending before {@code /chat/completions} (e.g.
 *                          {@code https://dc:8443/v1})
 * @param model             the model id sent to the upstream
 * @param apiKeyEnv         environment variable holding the upstream's API key, or null
 * @param apiKeyFile        file whose first line is the upstream's API key, or null (neither: no key is sent)
 * @param tls               trust (the upstream's CA) and client certificate; null: the JDK's trusted CAs
 * @param connectTimeout    to open the connection
 * @param firstTokenTimeout from sending a request to the first output (covers the upstream's queue and prefill)
 * @param idleTimeout       the longest silence once output has started (keep-alive comments count as traffic)
 * @param breakerFailures   failures or timeouts in a row that open the circuit
 * @param breakerOpenFor    how long the circuit stays open before a half-open probe
 * @param fallback          the local model that answers when the upstream cannot, or null
 */
public record UpstreamSettings(String name, URI url, String model, String apiKeyEnv, Path apiKeyFile, TlsConfig tls,
                               Duration connectTimeout, Duration firstTokenTimeout, Duration idleTimeout,
                               int breakerFailures, Duration breakerOpenFor, String fallback) {

    public UpstreamSettings {
        var where = "models '" + name + "' upstream";
        if (url == null || url.getScheme() == null || url.getHost() == null
                || !(url.getScheme().equals("http") || url.getScheme().equals("https"))) {
            throw new IllegalArgumentException(where + ": url must be an http:// or https:// URL such as"
                    + " https://dc.example:8443/v1, was '" + url + "'");
        }
        var text = url.toString();
        url = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        if (model == null || model.isBlank()) {
            model = name;
        }
        if (apiKeyEnv != null && apiKeyFile != null) {
            throw new IllegalArgumentException(where + ": set api-key-env or api-key-file, not both");
        }
        if (tls != null && tls.settings() == null && tls.certificate() != null && tls.trust() == null) {
            throw new IllegalArgumentException(where + ".tls: a client certificate needs trust (the upstream's CA"
                    + " bundle) beside it");
        }
        positive(where + ".connect-timeout", connectTimeout);
        positive(where + ".first-token-timeout", firstTokenTimeout);
        positive(where + ".idle-timeout", idleTimeout);
        positive(where + ".breaker.open-for", breakerOpenFor);
        if (breakerFailures < 1) {
            throw new IllegalArgumentException(where + ".breaker.failures must be at least 1, was " + breakerFailures);
        }
        if (name.equals(fallback)) {
            throw new IllegalArgumentException("models '" + name + "': fallback must name a local model, not the"
                    + " upstream itself");
        }
    }

    private static void positive(String key, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(key + " must be positive, was " + value);
        }
    }

    /** The upstream's endpoint under its base URL, e.g. {@code chat/completions}. */
    URI endpoint(String path) {
        return URI.create(url + "/" + path);
    }
}
