package ai.appliance.runtime.config;

import ai.appliance.runtime.backend.Backends;

import ai.appliance.runtime.routing.Callers;
import ai.appliance.runtime.routing.RoutingPolicy;
import ai.appliance.runtime.routing.RoutingRule;
import ai.appliance.runtime.scheduler.SchedulerSettings;
import ai.appliance.runtime.security.ApiKeyStore;
import ai.appliance.runtime.security.Role;
import ai.appliance.runtime.logs.LogFormat;
import ai.appliance.runtime.security.TlsConfig;
import ai.appliance.runtime.upstream.UpstreamSettings;
import ai.appliance.runtime.watermark.WatermarkSettings;
import io.helidon.config.Config;
import io.helidon.config.ConfigException;
import io.helidon.config.ConfigSources;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * Everything {@code serve} reads from its YAML file (Helidon Config) with environment overrides
 * (e.g. {@code SERVER_PORT=9000}, {@code MQTT_BROKER__URL=ssl://broker:8883}: "_" separates keys, "__" is "-").
 * Without a file every default below applies: loopback only, store in ./store, embedded broker, no keys.
 *
 * @param modelFolders folders (besides the store) that {@code POST /v1/models/{name}/load} may load from
 * @param upstreams    model entries answered by upstream servers ({@code models[]} with an {@code upstream})
 * @param routing      where requests go by caller, model and prompt length, and who must stay local
 */
public record ApplianceConfig(
        Http http,
        Grpc grpc,
        Path storeRoot,
        List<ModelSource> models,
        List<Path> modelFolders,
        SchedulerSettings scheduler,
        long kvCacheBytes,
        PrefixCaching prefixCache,
        int engineThreads,
        String engineBackend,
        Duration requestTimeout,
        int defaultMaxTokens,
        int maxMaxTokens,
        Security security,
        Audit audit,
        Mqtt mqtt,
        Duration shutdownGrace,
        LogFormat logFormat,
        List<UpstreamSettings> upstreams,
        RoutingPolicy routing,
        Watermarking watermark) {

    private static final Logger LOG = Logger.getLogger(ApplianceConfig.class.getName());

    /**
     * @param tls                null for plain HTTP
     * @param websocketHeartbeat how often /v1/ws pings an open socket, so proxies and NAT keep idle ones open
     * @param limits             how long a client may take to send a request, and how many may connect at once
     */
    public record Http(String host, int port, long maxPayloadBytes, TlsConfig tls, Duration websocketHeartbeat,
                       ConnectionLimits limits) {
        public Http {
            requirePort("server.port", port);
            requirePositive("server.websocket.heartbeat", websocketHeartbeat);
            if (maxPayloadBytes < 1) {
                throw new IllegalArgumentException("server.max-payload-bytes must be at least 1, was " + maxPayloadBytes);
            }
        }
    }

    /**
     * What a client may hold of the HTTP listener: a slow or stalled client must not keep a connection (a virtual
     * thread and a socket) for minutes.
     *
     * @param maxConnections connections served at once; more wait in the listen backlog until one closes
     * @param headerTimeout  from the request line to the end of the headers
     * @param bodyTimeout    from the end of the headers to the end of the body
     * @param idleTimeout    a kept-alive connection with no new request for this long is closed
     */
    public record ConnectionLimits(int maxConnections, Duration headerTimeout, Duration bodyTimeout, Duration idleTimeout) {
        public ConnectionLimits {
            if (maxConnections < 1) {
                throw new IllegalArgumentException("server.max-connections must be at least 1, was " + maxConnections);
            }
            requirePositive("server.header-timeout", headerTimeout);
            requirePositive("server.body-timeout", bodyTimeout);
            requirePositive("server.idle-timeout", idleTimeout);
        }
    }

    static void requirePositive(String key, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(key + " must be positive, was " + value);
        }
    }

    /**
     * The prefix cache (docs/api.md, "Prefix cache").
     *
     * @param bytes       heap bytes its blocks may take; 0 when it is off
     * @param blockTokens prompt tokens per block, the granularity of reuse
     */
    public record PrefixCaching(long bytes, int blockTokens) {
        /** The budget when none is configured: 256 MiB, but never more than this share of the heap. */
        static final long DEFAULT_BYTES = 256L << 20;
        static final double MAX_DEFAULT_HEAP_SHARE = 0.15;

        public PrefixCaching {
            if (bytes < 0) {
                throw new IllegalArgumentException("scheduler.prefix-cache.bytes must not be negative, was " + bytes);
            }
            if (blockTokens < 1 || blockTokens > 4096) {
                throw new IllegalArgumentException("scheduler.prefix-cache.block-tokens must be 1 to 4096, was " + blockTokens);
            }
        }

        static long defaultBytes(long maxHeap) {
            return Math.min(DEFAULT_BYTES, (long) (maxHeap * MAX_DEFAULT_HEAP_SHARE));
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

    /** A model to serve from a file or folder (else: the store's models, else the demo model). */
    public record ModelSource(String name, Path path, String version) { }

    public record Security(boolean enabled, List<ApiKeyStore.Entry> apiKeys, double userRatePerSecond,
                           Map<String, Role> certificateRoles, Role defaultCertificateRole) { }

    /**
     * @param fileGroup  null: audit files are readable by the appliance's user only (0600); else that group may read
     *                   them too (0640)
     * @param keyFile    the per-appliance secret that keys prompt digests (HMAC-SHA256), made on first use
     */
    public record Audit(boolean enabled, Path directory, int retentionDays, boolean includePrompts, String fileGroup,
                        Path keyFile) { }

    /**
     * @param brokerUrl              null: run the embedded broker on {@code embeddedHost:embeddedPort}
     * @param protocol               "5" (default) or "3.1.1" towards an external broker; the embedded one speaks 5
     * @param tls                    client TLS to an external broker: trust = broker CA; certificate/key = client certificate
     * @param embeddedTls            null: the embedded broker has no TLS listener; else one on {@code embeddedTlsPort}
     *                               that verifies fleet client certificates against the trust bundle and CRL
     * @param embeddedAllowAnonymous null: anonymous clients only where {@code embeddedHost} is loopback; false: every
     *                               client authenticates (certificate or API key); true on a network address is refused
     * @param replyTopics            where replies may go, per device or role (docs/api.md, "MQTT security")
     * @param deviceErrorTopic       errors for an identified device whose request named no usable reply topic;
     *                               {@code {device}} stands for its id
     */
    public record Mqtt(boolean enabled, String applianceId, String brokerUrl, String protocol, String username,
                       String password,
                       TlsConfig tls, String embeddedHost, int embeddedPort, Path embeddedDataDir, int maxPayloadBytes,
                       int maxCachedReplies, TlsConfig embeddedTls, int embeddedTlsPort, Boolean embeddedAllowAnonymous,
                       List<ReplyTopicRule> replyTopics, String deviceErrorTopic) {
        public Mqtt {
            requirePort("mqtt.embedded.port", embeddedPort);
            requirePort("mqtt.embedded.tls-port", embeddedTlsPort);
            replyTopics = List.copyOf(replyTopics);
            if (replyTopics.isEmpty()) {
                throw new IllegalArgumentException("mqtt.reply-topics must not be empty; leave it out for the default "
                        + ReplyTopicRule.DEFAULT.pattern());
            }
            ReplyTopicRule.requireTopicTemplate("mqtt.device-error-topic", deviceErrorTopic, false);
        }
    }

    /**
     * Reply topics a request may name: an MQTT topic filter in which {@code {device}} stands for the requesting
     * device's id. A rule with a {@code role} or a {@code device} applies only to those requesters; one with neither
     * applies to every device.
     */
    public record ReplyTopicRule(String pattern, Role role, String device) {
        /** Each device replies into its own subtree. */
        public static final ReplyTopicRule DEFAULT = new ReplyTopicRule("devices/{device}/#", null, null);

        public ReplyTopicRule {
            requireTopicTemplate("mqtt.reply-topics pattern", pattern, true);
        }

        /** A topic (or, with {@code filter}, a topic filter) with optional {@code {device}} levels. */
        static void requireTopicTemplate(String key, String template, boolean filter) {
            if (template == null || template.isBlank()) {
                throw new IllegalArgumentException(key + " must not be empty");
            }
            var levels = template.split("/", -1);
            for (int i = 0; i < levels.length; i++) {
                var level = levels[i];
                boolean wildcard = level.equals("+") || level.equals("#") && i == levels.length - 1;
                if (wildcard && !filter) {
                    throw new IllegalArgumentException(key + " '" + template + "' must be a topic, without + or #");
                }
                if (!wildcard && !level.equals("{device}") && (level.contains("+") || level.contains("#")
                        || level.contains("{") || level.contains("}"))) {
                    throw new IllegalArgumentException(key + " '" + template + "': level '" + level + "' is not"
                            + " valid; use plain levels, {device} as a whole level, + and a final #");
                }
            }
        }
    }

    /**
     * The watermark on generated text (docs/api.md, "Watermark"): off unless enabled.
     *
     * @param keyFile  the key (64 hex digits, 0600); made on first start when missing, so each appliance has its own
     *                 unless a fleet key is put there
     * @param settings green share, bias and context width
     */
    public record Watermarking(boolean enabled, Path keyFile, WatermarkSettings settings) { }

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
        try {
            if (file.isPresent()) {
                for (var key : unknownKeys(Config.just(ConfigSources.file(file.get())))) {
                    LOG.warning("config file " + file.get() + ": unknown key '" + key
                            + "' is ignored (docs/api.md lists every key)");
                }
            }
            return from(builder.build());
        } catch (ConfigException e) {
            // Helidon's messages start with its class names; the parser's own message names line and column.
            var cause = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage() : e.getMessage();
            throw new IllegalArgumentException("config file " + file.map(Path::toString).orElse("(none)")
                    + " cannot be read: " + ParserMessages.oneLine(cause), e);
        }
    }

    /** Every key {@link #from} reads; list items as {@code *}. */
    private static final Set<String> KNOWN_KEYS = Set.of(
            "server.host", "server.port", "server.max-payload-bytes", "server.websocket.heartbeat",
            "server.max-connections", "server.header-timeout", "server.body-timeout", "server.idle-timeout",
            "server.tls.settings", "server.tls.certificate", "server.tls.private-key", "server.tls.trust",
            "server.tls.client-auth",
            "grpc.enabled", "grpc.host", "grpc.port",
            "store.root",
            "models.*.name", "models.*.path", "models.*.version", "model-folders.*",
            "models.*.fallback", "models.*.upstream.url", "models.*.upstream.model", "models.*.upstream.api-key-env",
            "models.*.upstream.api-key-file", "models.*.upstream.tls.settings", "models.*.upstream.tls.certificate",
            "models.*.upstream.tls.private-key", "models.*.upstream.tls.trust",
            "models.*.upstream.connect-timeout", "models.*.upstream.first-token-timeout",
            "models.*.upstream.idle-timeout", "models.*.upstream.breaker.failures", "models.*.upstream.breaker.open-for",
            "routing.local-only.api-keys.*", "routing.local-only.roles.*",
            "routing.rules.*.api-keys.*", "routing.rules.*.roles.*", "routing.rules.*.models.*",
            "routing.rules.*.min-prompt-tokens", "routing.rules.*.model",
            "engine.threads", "engine.backend",
            "scheduler.max-batch", "scheduler.max-wait", "scheduler.queue-capacity", "scheduler.prefill-chunk",
            "scheduler.request-timeout", "scheduler.kv-cache-bytes",
            "scheduler.prefix-cache.enabled", "scheduler.prefix-cache.bytes", "scheduler.prefix-cache.block-tokens",
            "generation.default-max-tokens", "generation.max-max-tokens",
            "security.enabled", "security.user-rate-per-second", "security.default-certificate-role",
            "security.api-keys.*.name", "security.api-keys.*.role", "security.api-keys.*.hash",
            "security.api-keys.*.rate-per-second",
            "security.client-certificates.*.common-name", "security.client-certificates.*.role",
            "audit.enabled", "audit.directory", "audit.retention-days", "audit.include-prompts", "audit.file-group",
            "audit.key-file",
            "mqtt.enabled", "mqtt.appliance-id", "mqtt.broker-url", "mqtt.protocol", "mqtt.username", "mqtt.password",
            "mqtt.tls.settings", "mqtt.tls.certificate", "mqtt.tls.private-key", "mqtt.tls.trust",
            "mqtt.tls.client-auth",
            "mqtt.embedded.host", "mqtt.embedded.port", "mqtt.embedded.data-dir", "mqtt.max-payload-bytes",
            "mqtt.max-cached-replies", "mqtt.embedded.tls-port", "mqtt.embedded.allow-anonymous",
            "mqtt.embedded.tls.settings", "mqtt.embedded.tls.certificate", "mqtt.embedded.tls.private-key",
            "mqtt.embedded.tls.trust", "mqtt.embedded.tls.client-auth",
            "mqtt.reply-topics.*.pattern", "mqtt.reply-topics.*.role", "mqtt.reply-topics.*.device",
            "mqtt.device-error-topic",
            "shutdown.grace",
            "logging.format",
            "watermark.enabled", "watermark.key-file", "watermark.gamma", "watermark.delta", "watermark.context");

    /** Keys of {@code file} that no setting reads: a typo ({@code sever.port}) would otherwise pass in silence. */
    static List<String> unknownKeys(Config file) {
        return file.traverse()
                .filter(Config::isLeaf)
                .map(node -> node.key().toString())
                .filter(key -> !KNOWN_KEYS.contains(key.replaceAll("\\.\\d+(?=\\.|$)", ".*")))
                .sorted()
                .toList();
    }

    public static ApplianceConfig from(Config c) {
        var storeRoot = Path.of(c.get("store.root").asString().orElse("store"));
        var httpNode = c.get("server");
        var http = new Http(httpNode.get("host").asString().orElse("127.0.0.1"),
                wholeNumber(httpNode.get("port"), 8080),
                longNumber(httpNode.get("max-payload-bytes"), 1_048_576L),
                tls(httpNode.get("tls")), duration(httpNode.get("websocket.heartbeat"), Duration.ofSeconds(15)),
                new ConnectionLimits(wholeNumber(httpNode.get("max-connections"), 256),
                        duration(httpNode.get("header-timeout"), Duration.ofSeconds(10)),
                        duration(httpNode.get("body-timeout"), Duration.ofSeconds(30)),
                        duration(httpNode.get("idle-timeout"), Duration.ofSeconds(60))));
        var grpcNode = c.get("grpc");
        var grpc = new Grpc(flag(grpcNode.get("enabled"), true),
                grpcNode.get("host").asString().orElse(http.host()), wholeNumber(grpcNode.get("port"), 9090));
        var models = new ArrayList<ModelSource>();
        var upstreams = new ArrayList<UpstreamSettings>();
        for (var m : c.get("models").asNodeList().orElse(List.of())) {
            if (m.get("upstream").exists()) {
                if (m.get("path").exists()) {
                    throw new IllegalArgumentException("models[" + m.name() + "]: set path (a local model) or upstream"
                            + " (answered by another server), not both");
                }
                upstreams.add(upstream(m));
                continue;
            }
            if (m.get("fallback").exists()) {
                throw new IllegalArgumentException("models[" + m.name() + "].fallback: only a model entry with an"
                        + " upstream has a fallback");
            }
            var path = m.get("path").asString().orElseThrow(() -> new IllegalArgumentException(
                    "models[" + m.name() + "].path is required (a .gguf file or a checkpoint folder)"));
            var p = Path.of(path);
            models.add(new ModelSource(m.get("name").asString().orElse(stripExtension(p.getFileName().toString())), p,
                    m.get("version").asString().orElse(p.getFileName().toString())));
        }
        var modelFolders = c.get("model-folders").asList(String.class).orElse(List.of()).stream().map(Path::of).toList();
        var s = c.get("scheduler");
        var scheduler = new SchedulerSettings(wholeNumber(s.get("max-batch"), 32),
                duration(s.get("max-wait"), Duration.ofMillis(50)), wholeNumber(s.get("queue-capacity"), 256),
                wholeNumber(s.get("prefill-chunk"), 256));
        var sec = c.get("security");
        var keys = new ArrayList<ApiKeyStore.Entry>();
        for (var k : sec.get("api-keys").asNodeList().orElse(List.of())) {
            var name = k.get("name").asString().orElse("key-" + keys.size());
            keys.add(new ApiKeyStore.Entry(name,
                    k.get("hash").asString().orElseThrow(() -> new IllegalArgumentException(
                            "security.api-keys '" + name + "': hash is required (sha256:<hex>; ./appliance apikey)")),
                    Role.parse(k.get("role").asString().orElse("user"), "security.api-keys '" + name + "'"),
                    decimal(k.get("rate-per-second"), 0.0)));
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
        var security = new Security(flag(sec.get("enabled"), !keys.isEmpty()), keys,
                decimal(sec.get("user-rate-per-second"), 5.0), certRoles, defaultCertRole);
        var a = c.get("audit");
        var audit = new Audit(flag(a.get("enabled"), true),
                Path.of(a.get("directory").asString().orElse(storeRoot.resolve("audit").toString())),
                wholeNumber(a.get("retention-days"), 180), flag(a.get("include-prompts"), false),
                a.get("file-group").asString().orElse(null),
                Path.of(a.get("key-file").asString().orElse(storeRoot.resolve("audit.key").toString())));
        var q = c.get("mqtt");
        var replyTopics = new ArrayList<ReplyTopicRule>();
        for (var rule : q.get("reply-topics").asNodeList().orElse(List.of())) {
            var where = "mqtt.reply-topics[" + rule.name() + "]";
            replyTopics.add(new ReplyTopicRule(rule.get("pattern").asString().orElseThrow(() ->
                    new IllegalArgumentException(where + ": pattern is required (e.g. devices/{device}/#)")),
                    rule.get("role").asString().map(r -> Role.parse(r, where + ".role")).orElse(null),
                    rule.get("device").asString().orElse(null)));
        }
        if (replyTopics.isEmpty()) {
            replyTopics.add(ReplyTopicRule.DEFAULT);
        }
        var mqtt = new Mqtt(flag(q.get("enabled"), true),
                q.get("appliance-id").asString().orElseGet(ApplianceConfig::hostName),
                q.get("broker-url").asString().orElse(null), q.get("protocol").asString().orElse("5"),
                q.get("username").asString().orElse(null),
                q.get("password").asString().orElse(null), tls(q.get("tls")),
                q.get("embedded.host").asString().orElse("127.0.0.1"), wholeNumber(q.get("embedded.port"), 1883),
                Path.of(q.get("embedded.data-dir").asString().orElse(storeRoot.resolve("mqtt").toString())),
                wholeNumber(q.get("max-payload-bytes"), 256 * 1024), wholeNumber(q.get("max-cached-replies"), 1024),
                tls(q.get("embedded.tls")), wholeNumber(q.get("embedded.tls-port"), 8883),
                q.get("embedded.allow-anonymous").exists() ? flag(q.get("embedded.allow-anonymous"), false) : null,
                replyTopics, q.get("device-error-topic").asString().orElse("devices/{device}/errors"));
        var g = c.get("generation");
        long kvCacheBytes = longNumber(s.get("kv-cache-bytes"), 0);
        if (kvCacheBytes < 0) {
            throw new IllegalArgumentException("scheduler.kv-cache-bytes must be 0 (60 % of the Java heap) or more, was "
                    + kvCacheBytes);
        }
        var p = s.get("prefix-cache");
        var prefixCache = new PrefixCaching(flag(p.get("enabled"), true)
                ? longNumber(p.get("bytes"), PrefixCaching.defaultBytes(Runtime.getRuntime().maxMemory())) : 0,
                wholeNumber(p.get("block-tokens"), 32));
        var w = c.get("watermark");
        var watermark = new Watermarking(flag(w.get("enabled"), false),
                Path.of(w.get("key-file").asString().orElse(storeRoot.resolve("watermark.key").toString())),
                new WatermarkSettings(decimal(w.get("gamma"), WatermarkSettings.DEFAULT_GAMMA),
                        decimal(w.get("delta"), WatermarkSettings.DEFAULT_DELTA),
                        wholeNumber(w.get("context"), WatermarkSettings.DEFAULT_CONTEXT)));
        return new ApplianceConfig(http, grpc, storeRoot, models, modelFolders, scheduler, kvCacheBytes, prefixCache,
                wholeNumber(c.get("engine.threads"), Runtime.getRuntime().availableProcessors()),
                c.get("engine.backend").asString().orElse(Backends.DEFAULT),
                duration(c.get("scheduler.request-timeout"), Duration.ofMinutes(10)),
                wholeNumber(g.get("default-max-tokens"), 512), wholeNumber(g.get("max-max-tokens"), 8192),
                security, audit, mqtt, duration(c.get("shutdown.grace"), Duration.ofSeconds(30)),
                LogFormat.parse(c.get("logging.format").asString().orElse("text")),
                upstreams, routing(c.get("routing"), models, upstreams), watermark);
    }

    /** A {@code models[]} entry answered by an upstream server. */
    private static UpstreamSettings upstream(Config m) {
        var name = m.get("name").asString().orElseThrow(() -> new IllegalArgumentException(
                "models[" + m.name() + "]: a model entry with an upstream needs a name (what clients ask for)"));
        var u = m.get("upstream");
        var url = u.get("url").asString().orElseThrow(() -> new IllegalArgumentException(
                "models '" + name + "' upstream: url is required (e.g. https://dc.example:8443/v1)"));
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("models '" + name + "' upstream: url '" + url + "' is not a URL");
        }
        var tls = u.get("tls");
        TlsConfig tlsConfig = null;
        if (tls.exists()) {
            tlsConfig = new TlsConfig(tls.get("settings").asString().map(Path::of).orElse(null),
                    tls.get("certificate").asString().map(Path::of).orElse(null),
                    tls.get("private-key").asString().map(Path::of).orElse(null),
                    tls.get("trust").asString().map(Path::of).orElse(null), "none");
        }
        return new UpstreamSettings(name, uri, u.get("model").asString().orElse(null),
                u.get("api-key-env").asString().orElse(null),
                u.get("api-key-file").asString().map(Path::of).orElse(null), tlsConfig,
                duration(u.get("connect-timeout"), Duration.ofSeconds(5)),
                duration(u.get("first-token-timeout"), Duration.ofSeconds(60)),
                duration(u.get("idle-timeout"), Duration.ofSeconds(30)),
                wholeNumber(u.get("breaker.failures"), 3),
                duration(u.get("breaker.open-for"), Duration.ofSeconds(30)),
                m.get("fallback").asString().orElse(null));
    }

    /** The {@code routing} section; checks that names of upstreams and local models do not clash. */
    private static RoutingPolicy routing(Config r, List<ModelSource> models, List<UpstreamSettings> upstreams) {
        var upstreamNames = new java.util.HashSet<String>();
        for (var u : upstreams) {
            if (!upstreamNames.add(u.name())) {
                throw new IllegalArgumentException("models: two upstream entries are named '" + u.name() + "'");
            }
            if (models.stream().anyMatch(m -> m.name().equals(u.name()))) {
                throw new IllegalArgumentException("models: '" + u.name() + "' is both a local model and an upstream;"
                        + " give them different names");
            }
        }
        for (var u : upstreams) {
            if (u.fallback() != null && upstreamNames.contains(u.fallback())) {
                throw new IllegalArgumentException("models '" + u.name() + "': fallback '" + u.fallback()
                        + "' is an upstream; a fallback must be a local model");
            }
        }
        var rules = new ArrayList<RoutingRule>();
        for (var rule : r.get("rules").asNodeList().orElse(List.of())) {
            var where = "routing.rules[" + rule.name() + "]";
            var callers = callers(rule, where);
            var minPromptTokens = wholeNumber(rule.get("min-prompt-tokens"), 0);
            try {
                rules.add(new RoutingRule(callers, Set.copyOf(strings(rule.get("models"))), minPromptTokens,
                        rule.get("model").asString().orElse(null)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
        }
        return new RoutingPolicy(rules, callers(r.get("local-only"), "routing.local-only"));
    }

    private static Callers callers(Config node, String where) {
        var roles = new java.util.HashSet<Role>();
        for (var role : strings(node.get("roles"))) {
            roles.add(Role.parse(role, where + ".roles"));
        }
        return new Callers(Set.copyOf(strings(node.get("api-keys"))), roles);
    }

    private static List<String> strings(Config node) {
        return node.asList(String.class).orElse(List.of());
    }

    private static TlsConfig tls(Config node) {
        if (!node.get("certificate").exists() && !node.get("trust").exists() && !node.get("settings").exists()) {
            return null;
        }
        return new TlsConfig(node.get("settings").asString().map(Path::of).orElse(null),
                node.get("certificate").asString().map(Path::of).orElse(null),
                node.get("private-key").asString().map(Path::of).orElse(null),
                node.get("trust").asString().map(Path::of).orElse(null),
                node.get("client-auth").asString().orElse(node.get("trust").exists() ? "optional" : "none"));
    }

    private static int wholeNumber(Config node, int fallback) {
        long value = longNumber(node, fallback);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(node.key() + ": " + value + " is out of range");
        }
        return (int) value;
    }

    private static long longNumber(Config node, long fallback) {
        return parsed(node, fallback, text -> Long.parseLong(text.strip()), "a whole number");
    }

    private static double decimal(Config node, double fallback) {
        return parsed(node, fallback, text -> Double.parseDouble(text.strip()), "a number");
    }

    private static boolean flag(Config node, boolean fallback) {
        return parsed(node, fallback, text -> switch (text.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException();
        }, "true or false");
    }

    /** ISO-8601 (PT0.05S) or a number of milliseconds. */
    private static Duration duration(Config node, Duration fallback) {
        return parsed(node, fallback, text -> text.matches("\\d+") ? Duration.ofMillis(Long.parseLong(text)) : Duration.parse(text),
                "a duration; use milliseconds (50) or ISO-8601 (PT0.05S)");
    }

    /** {@code node}'s text through {@code parse}, {@code fallback} when absent; one line naming the key when it is not {@code kind}. */
    private static <T> T parsed(Config node, T fallback, Function<String, T> parse, String kind) {
        var text = node.asString().orElse(null);
        if (text == null) {
            return fallback;
        }
        try {
            return parse.apply(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(node.key() + ": '" + text + "' is not " + kind);
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
