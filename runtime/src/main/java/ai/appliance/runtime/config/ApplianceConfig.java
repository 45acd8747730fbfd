package ai.appliance.runtime.config;

import ai.appliance.runtime.scheduler.SchedulerSettings;
import ai.appliance.runtime.security.ApiKeyStore;
import ai.appliance.runtime.security.Role;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything {@code serve} reads from its YAML file (Helidon Config) with environment overrides
 * (e.g. {@code SERVER_PORT=9000}, {@code MQTT_BROKER__URL=ssl://broker:8883}: "_" separates keys, "__" is "-").
 * Without a file every default below applies: loopback only, store in ./store, embedded broker, no keys.
 */
public record ApplianceConfig(
        Http http,
        Grpc grpc,
        Path storeRoot,
        List<ModelSource> models,
        SchedulerSettings scheduler,
        int engineThreads,
        Duration requestTimeout,
        int defaultMaxTokens,
        int maxMaxTokens,
        Security security,
        Audit audit,
        Mqtt mqtt,
        Duration shutdownGrace) {

    /**
     * @param tls                null for plain HTTP
     * @param websocketHeartbeat how often /v1/ws pings an open socket, so proxies and NAT keep idle ones open
     */
    public record Http(String host, int port, long maxPayloadBytes, Tls tls, Duration websocketHeartbeat) {
        public Http {
            requirePort("server.port", port);
            if (websocketHeartbeat.isNegative() || websocketHeartbeat.isZero()) {
                throw new IllegalArgumentException("server.websocket.heartbeat must be positive, was "
                        + websocketHeartbeat);
            }
        }
    }

    public record Grpc(boolean enabled, String host, int port) {
        public Grpc {
            requirePort("grpc.port", port);
        }
    }

    /** A TCP port to listen on: 0 picks a free one. */
    static void requirePort(String key, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(key + " must be between 0 and 65535 (0 picks a free port), was " + port);
        }
    }

    /**
     * TLS from the {@code tls.yaml} that {@code provision enroll} writes ({@code settings}), or from PEM files.
     * {@code trust} (CA bundle) verifies client certificates; {@code clientAuth} is none, optional or required.
     */
    public record Tls(Path settings, Path certificate, Path privateKey, Path trust, String clientAuth) { }

    /** A model to serve from a file or folder (else: the store's models, else the demo model). */
    public record ModelSource(String name, Path path, String version) { }

    public record Security(boolean enabled, List<ApiKeyStore.Entry> apiKeys, double userRatePerSecond,
                           Map<String, Role> certificateRoles, Role defaultCertificateRole) { }

    public record Audit(boolean enabled, Path directory, int retentionDays, boolean includePrompts) { }

    /**
     * @param brokerUrl null: run the embedded broker on {@code embeddedHost:embeddedPort}
     * @param protocol  "5" (default) or "3.1.1" towards an external broker; the embedded one is always 3.1.1
     * @param tls       client TLS to an external broker: trust = broker CA; certificate/key = client certificate
     */
    public record Mqtt(boolean enabled, String applianceId, String brokerUrl, String protocol, String username,
                       String password,
                       Tls tls, String embeddedHost, int embeddedPort, Path embeddedDataDir, int maxPayloadBytes,
                       int maxCachedReplies) {
        public Mqtt {
            requirePort("mqtt.embedded.port", embeddedPort);
        }
    }

    /**
     * Reads {@code file} (if given); command-line {@code overrides} take precedence over environment variables,
     * which take precedence over the file.
     */
    public static ApplianceConfig load(Optional<Path> file, Map<String, String> overrides) {
        var builder = Config.builder().disableSystemPropertiesSource().disableEnvironmentVariablesSource()
                .addSource(ConfigSources.create(overrides).build())
                .addSource(ConfigSources.environmentVariables());
        if (file.isPresent()) {
            if (!Files.isRegularFile(file.get())) {
                throw new IllegalArgumentException("config file " + file.get() + " does not exist");
            }
            builder.addSource(ConfigSources.file(file.get()));
        }
        return from(builder.build());
    }

    public static ApplianceConfig from(Config c) {
        var storeRoot = Path.of(c.get("store.root").asString().orElse("store"));
        var httpNode = c.get("server");
        var http = new Http(httpNode.get("host").asString().orElse("127.0.0.1"),
                httpNode.get("port").asInt().orElse(8080),
                httpNode.get("max-payload-bytes").asLong().orElse(1_048_576L),
                tls(httpNode.get("tls")), duration(httpNode.get("websocket.heartbeat"), Duration.ofSeconds(15)));
        var grpcNode = c.get("grpc");
        var grpc = new Grpc(grpcNode.get("enabled").asBoolean().orElse(true),
                grpcNode.get("host").asString().orElse(http.host()), grpcNode.get("port").asInt().orElse(9090));
        var models = new ArrayList<ModelSource>();
        for (var m : c.get("models").asNodeList().orElse(List.of())) {
            var path = m.get("path").asString().orElseThrow(() -> new IllegalArgumentException(
                    "models[" + m.name() + "].path is required (a .gguf file or a checkpoint folder)"));
            var p = Path.of(path);
            models.add(new ModelSource(m.get("name").asString().orElse(stripExtension(p.getFileName().toString())), p,
                    m.get("version").asString().orElse(p.getFileName().toString())));
        }
        var s = c.get("scheduler");
        var scheduler = new SchedulerSettings(s.get("max-batch").asInt().orElse(32),
                duration(s.get("max-wait"), Duration.ofMillis(50)), s.get("queue-capacity").asInt().orElse(256),
                s.get("prefill-chunk").asInt().orElse(256));
        var sec = c.get("security");
        var keys = new ArrayList<ApiKeyStore.Entry>();
        for (var k : sec.get("api-keys").asNodeList().orElse(List.of())) {
            var name = k.get("name").asString().orElse("key-" + keys.size());
            keys.add(new ApiKeyStore.Entry(name,
                    k.get("hash").asString().orElseThrow(() -> new IllegalArgumentException(
                            "security.api-keys '" + name + "': hash is required (sha256:<hex>; ./appliance apikey)")),
                    Role.parse(k.get("role").asString().orElse("user"), "security.api-keys '" + name + "'"),
                    k.get("rate-per-second").asDouble().orElse(0.0)));
        }
        var certRoles = new LinkedHashMap<String, Role>();
        // A list, not a map: certificate common names often contain dots, which config keys cannot.
        for (var entry : sec.get("client-certificates").asNodeList().orElse(List.of())) {
            var cn = entry.get("common-name").asString().orElseThrow(() -> new IllegalArgumentException(
                    "security.client-certificates: every entry needs common-name and role"));
            certRoles.put(cn, Role.parse(entry.get("role").asString().orElse(""),
                    "security.client-certificates '" + cn + "'"));
        }
        var defaultCertRole = sec.get("default-certificate-role").asString()
                .map(r -> Role.parse(r, "security.default-certificate-role")).orElse(null);
        var security = new Security(sec.get("enabled").asBoolean().orElse(!keys.isEmpty()), keys,
                sec.get("user-rate-per-second").asDouble().orElse(5.0), certRoles, defaultCertRole);
        var a = c.get("audit");
        var audit = new Audit(a.get("enabled").asBoolean().orElse(true),
                Path.of(a.get("directory").asString().orElse(storeRoot.resolve("audit").toString())),
                a.get("retention-days").asInt().orElse(180), a.get("include-prompts").asBoolean().orElse(false));
        var q = c.get("mqtt");
        var mqtt = new Mqtt(q.get("enabled").asBoolean().orElse(true),
                q.get("appliance-id").asString().orElseGet(ApplianceConfig::hostName),
                q.get("broker-url").asString().orElse(null), q.get("protocol").asString().orElse("5"),
                q.get("username").asString().orElse(null),
                q.get("password").asString().orElse(null), tls(q.get("tls")),
                q.get("embedded.host").asString().orElse("127.0.0.1"), q.get("embedded.port").asInt().orElse(1883),
                Path.of(q.get("embedded.data-dir").asString().orElse(storeRoot.resolve("mqtt").toString())),
                q.get("max-payload-bytes").asInt().orElse(256 * 1024), q.get("max-cached-replies").asInt().orElse(1024));
        var g = c.get("generation");
        return new ApplianceConfig(http, grpc, storeRoot, models, scheduler,
                c.get("engine.threads").asInt().orElse(Runtime.getRuntime().availableProcessors()),
                duration(c.get("scheduler.request-timeout"), Duration.ofMinutes(10)),
                g.get("default-max-tokens").asInt().orElse(512), g.get("max-max-tokens").asInt().orElse(8192),
                security, audit, mqtt, duration(c.get("shutdown.grace"), Duration.ofSeconds(30)));
    }

    private static Tls tls(Config node) {
        if (!node.get("certificate").exists() && !node.get("trust").exists() && !node.get("settings").exists()) {
            return null;
        }
        return new Tls(node.get("settings").asString().map(Path::of).orElse(null),
                node.get("certificate").asString().map(Path::of).orElse(null),
                node.get("private-key").asString().map(Path::of).orElse(null),
                node.get("trust").asString().map(Path::of).orElse(null),
                node.get("client-auth").asString().orElse(node.get("trust").exists() ? "optional" : "none"));
    }

    /** ISO-8601 (PT0.05S) or a number of milliseconds. */
    private static Duration duration(Config node, Duration fallback) {
        var text = node.asString().orElse(null);
        if (text == null) {
            return fallback;
        }
        try {
            return text.matches("\\d+") ? Duration.ofMillis(Long.parseLong(text)) : Duration.parse(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(node.key() + ": '" + text
                    + "' is not a duration; use milliseconds (50) or ISO-8601 (PT0.05S)");
        }
    }

    private static String stripExtension(String name) {
        return name.endsWith(".gguf") ? name.substring(0, name.length() - 5) : name;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "appliance";
        }
    }
}
