package ai.appliance.sync.agent;

import ai.appliance.sync.SyncException;
import ai.appliance.sync.manifest.Names;
import ai.appliance.sync.util.Json;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Agent configuration ({@code <root>/sync.json}, docs/formats.md §9). Durations are ISO-8601 ("PT5M"). */
public record SyncConfig(Path storeRoot, List<String> stores, List<ModelRef> models, String deviceId,
                         Duration pollInterval, Duration verifyInterval, int parallelism, long bandwidthBytesPerSecond,
                         int retries, int keepVersions, long cacheMaxBytes, Duration loadTimeout, Mqtt mqtt, Path trustRoot) {

    public record ModelRef(String name, String channel) {
        public ModelRef {
            Names.model(name);
            Names.channel(channel == null ? "stable" : channel);
            channel = channel == null ? "stable" : channel;
        }
    }

    /**
     * MQTT link. {@code uri} is tcp://host:1883 or ssl://host:8883 (JVM trust store); credentials are optional
     * and {@code passwordEnv} names an environment variable so secrets stay out of sync.json.
     */
    public record Mqtt(String uri, String group, String username, String passwordEnv) {
        public Mqtt(String uri, String group) {
            this(uri, group, null, null);
        }
    }

    public SyncConfig {
        storeRoot = storeRoot == null ? Path.of("store") : storeRoot;
        if (stores == null || stores.isEmpty()) throw new SyncException.UsageError("sync config: 'stores' must list at least one store");
        if (models == null || models.isEmpty()) throw new SyncException.UsageError("sync config: 'models' must list at least one model");
        stores = List.copyOf(stores);
        models = List.copyOf(models);
        deviceId = deviceId == null || deviceId.isBlank() ? hostName() : deviceId;
        pollInterval = pollInterval == null ? Duration.ofMinutes(5) : pollInterval;
        verifyInterval = verifyInterval == null ? Duration.ofHours(24) : verifyInterval;
        parallelism = parallelism <= 0 ? 4 : parallelism;
        retries = retries <= 0 ? 8 : retries;
        keepVersions = keepVersions <= 0 ? 2 : keepVersions;
        loadTimeout = loadTimeout == null ? Duration.ofMinutes(10) : loadTimeout;
        trustRoot = trustRoot == null ? storeRoot.resolve("trust").resolve("root.pub") : trustRoot;
    }

    public static SyncConfig of(Path storeRoot, List<String> stores, List<ModelRef> models) {
        return new SyncConfig(storeRoot, stores, models, null, null, null, 0, 0, 0, 0, 0, null, null, null);
    }

    public SyncConfig withDeviceId(String id) {
        return new SyncConfig(storeRoot, stores, models, id, pollInterval, verifyInterval, parallelism, bandwidthBytesPerSecond, retries, keepVersions, cacheMaxBytes, loadTimeout, mqtt, trustRoot);
    }

    public SyncConfig withParallelism(int p) {
        return new SyncConfig(storeRoot, stores, models, deviceId, pollInterval, verifyInterval, p, bandwidthBytesPerSecond, retries, keepVersions, cacheMaxBytes, loadTimeout, mqtt, trustRoot);
    }

    public SyncConfig withBandwidth(long bytesPerSecond) {
        return new SyncConfig(storeRoot, stores, models, deviceId, pollInterval, verifyInterval, parallelism, bytesPerSecond, retries, keepVersions, cacheMaxBytes, loadTimeout, mqtt, trustRoot);
    }

    public SyncConfig withRetries(int r) {
        return new SyncConfig(storeRoot, stores, models, deviceId, pollInterval, verifyInterval, parallelism, bandwidthBytesPerSecond, r, keepVersions, cacheMaxBytes, loadTimeout, mqtt, trustRoot);
    }

    public SyncConfig withLoadTimeout(Duration d) {
        return new SyncConfig(storeRoot, stores, models, deviceId, pollInterval, verifyInterval, parallelism, bandwidthBytesPerSecond, retries, keepVersions, cacheMaxBytes, d, mqtt, trustRoot);
    }

    public SyncConfig withPollInterval(Duration d) {
        return new SyncConfig(storeRoot, stores, models, deviceId, d, verifyInterval, parallelism, bandwidthBytesPerSecond, retries, keepVersions, cacheMaxBytes, loadTimeout, mqtt, trustRoot);
    }

    public SyncConfig withCacheMaxBytes(long b) {
        return new SyncConfig(storeRoot, stores, models, deviceId, pollInterval, verifyInterval, parallelism, bandwidthBytesPerSecond, retries, keepVersions, b, loadTimeout, mqtt, trustRoot);
    }

    public SyncConfig withKeepVersions(int k) {
        return new SyncConfig(storeRoot, stores, models, deviceId, pollInterval, verifyInterval, parallelism, bandwidthBytesPerSecond, retries, k, cacheMaxBytes, loadTimeout, mqtt, trustRoot);
    }

    public SyncConfig withMqtt(Mqtt m) {
        return new SyncConfig(storeRoot, stores, models, deviceId, pollInterval, verifyInterval, parallelism, bandwidthBytesPerSecond, retries, keepVersions, cacheMaxBytes, loadTimeout, m, trustRoot);
    }

    /** The file as written: every key optional, defaults applied only when it becomes a {@link SyncConfig}. */
    private record FileForm(Path storeRoot, List<String> stores, List<ModelRef> models, String deviceId,
                            Duration pollInterval, Duration verifyInterval, int parallelism, long bandwidthBytesPerSecond,
                            int retries, int keepVersions, long cacheMaxBytes, Duration loadTimeout, Mqtt mqtt, Path trustRoot) {}

    /** {@code <root>/sync.json}, or empty when the file does not exist (then {@code serve} runs no agent). */
    public static Optional<SyncConfig> load(Path storeRoot) {
        var file = storeRoot.resolve("sync.json");
        if (!Files.exists(file)) return Optional.empty();
        FileForm raw;
        try {
            raw = Json.read(Files.readAllBytes(file), FileForm.class, file.toString());
        } catch (IOException e) {
            throw new SyncException.UsageError("cannot read " + file + ": " + e.getMessage());
        } catch (SyncException.MalformedMetadata e) {
            throw new SyncException.UsageError(e.getMessage());
        }
        // Relative paths in the file are relative to the folder holding it; storeRoot defaults to that folder.
        var root = raw.storeRoot() == null ? storeRoot : storeRoot.resolve(raw.storeRoot()).normalize();
        try {
            return Optional.of(new SyncConfig(root, raw.stores(), raw.models(), raw.deviceId(), raw.pollInterval(),
                    raw.verifyInterval(), raw.parallelism(), raw.bandwidthBytesPerSecond(), raw.retries(), raw.keepVersions(),
                    raw.cacheMaxBytes(), raw.loadTimeout(), raw.mqtt(), raw.trustRoot() == null ? null : storeRoot.resolve(raw.trustRoot())));
        } catch (SyncException e) {
            throw new SyncException.UsageError(file + ": " + e.getMessage());
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-device";
        }
    }
}
