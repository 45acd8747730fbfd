package ai.appliance.sync.agent;

import ai.appliance.sync.SyncException;
import ai.appliance.sync.fleet.MqttLink;
import ai.appliance.sync.store.ObjectStore;
import ai.appliance.sync.store.StoreKeys;
import ai.appliance.sync.store.StoreUris;
import ai.appliance.sync.trust.Ed25519;
import ai.appliance.sync.trust.MetadataVerifier;
import ai.appliance.sync.trust.TrustState;
import ai.appliance.sync.util.AtomicFiles;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The sync agent: one background thread that runs {@link ModelSync#cycle} for every configured model on a
 * poll interval (or early, when MQTT says a release moved), checks runtime load reports, re-verifies the
 * active version on schedule, and keeps the cache in bounds. {@code serve} starts it in-process; {@code sync run}
 * runs it in the foreground. One agent per store root (a file lock guards it).
 */
public final class SyncAgent implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SyncAgent.class.getName());

    private final SyncConfig config;
    private final ObjectStore store;
    private final LocalLayout layout;
    private final MetadataVerifier verifier;
    private final TrustState trust;
    private final ChunkCache cache;
    private final Clock clock;
    private final List<ModelSync> models = new ArrayList<>();
    private final List<Consumer<AgentState>> listeners = new CopyOnWriteArrayList<>();
    private final Object wake = new Object();
    private final FileChannel lockChannel;
    private final FileLock lock;
    private volatile boolean woken;
    private volatile boolean running;
    private Thread loop;
    private MqttLink mqtt;
    private Instant nextVerify;

    private SyncAgent(Builder b) {
        this.config = b.config;
        this.clock = b.clock;
        this.layout = new LocalLayout(config.storeRoot());
        try {
            Files.createDirectories(layout.root());
            this.lockChannel = FileChannel.open(layout.lockFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            this.lock = lockChannel.tryLock();
        } catch (IOException e) {
            throw new SyncException.LocalStateError("cannot open store root " + layout.root() + ": " + e.getMessage(), e);
        }
        if (lock == null) {
            closeQuietly(lockChannel);
            throw new SyncException.UsageError("another sync agent already runs on " + layout.root() + " (lock " + layout.lockFile() + ")");
        }
        try {
            if (!Files.exists(config.trustRoot())) {
                throw new SyncException.UsageError("no pinned root key at " + config.trustRoot()
                        + " (copy the root public key there, or pass --trust-root)");
            }
            this.trust = TrustState.load(layout.trustState());
            var rootKeys = trust.rootKeys();
            // After a root-key rotation the persisted keys, not the provisioned pin, sign the next root.
            this.verifier = rootKeys.isEmpty() ? new MetadataVerifier(Ed25519.readPublic(config.trustRoot()), clock)
                    : new MetadataVerifier(ai.appliance.sync.trust.KeyRing.of(rootKeys), clock);
            this.cache = new ChunkCache(layout.cache());
            this.store = b.store != null ? b.store : StoreUris.openAll(config.stores());
            b.listeners.forEach(listeners::add);
            for (var ref : config.models()) {
                models.add(new ModelSync(config, ref, store, verifier, trust, cache, clock, this::publish));
            }
        } catch (RuntimeException e) {
            releaseLock();
            throw e;
        }
        this.nextVerify = clock.instant().plus(config.verifyInterval());
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private SyncConfig config;
        private ObjectStore store;
        private Clock clock = Clock.systemUTC();
        private final List<Consumer<AgentState>> listeners = new ArrayList<>();

        public Builder config(SyncConfig config) { this.config = config; return this; }
        /** Overrides the stores from the config (tests meter or fault-inject through this). */
        public Builder store(ObjectStore store) { this.store = store; return this; }
        public Builder clock(Clock clock) { this.clock = clock; return this; }
        public Builder listener(Consumer<AgentState> l) { this.listeners.add(l); return this; }

        public SyncAgent build() {
            if (config == null) throw new SyncException.UsageError("sync agent needs a configuration");
            return new SyncAgent(this);
        }
    }

    public SyncConfig config() {
        return config;
    }

    public List<AgentState> status() {
        return models.stream().map(ModelSync::state).toList();
    }

    public Optional<ModelSync> model(String name) {
        return models.stream().filter(m -> m.model().equals(name)).findFirst();
    }

    /** One pass over every model (what the loop does each tick). */
    public synchronized List<AgentState> runOnce() {
        MetadataVerifier.TrustedRoot root = null;
        SyncException rootError = null;
        try {
            root = fetchRoot();
        } catch (SyncException.LocalStateError e) {
            throw e;
        } catch (SyncException e) {
            rootError = e;
        }
        var out = new ArrayList<AgentState>();
        for (var m : models) out.add(m.cycle(root, rootError));
        enforceCacheLimit();
        if (!clock.instant().isBefore(nextVerify)) {
            nextVerify = clock.instant().plus(config.verifyInterval());
            models.forEach(ModelSync::verifyActive);
        }
        return out;
    }

    /** Root metadata from the store, verified against the pinned key and the highest serial seen. */
    private MetadataVerifier.TrustedRoot fetchRoot() {
        var root = ai.appliance.sync.trust.RootChain.resolve(store, verifier, trust.rootSerial() + 1, step -> {
            trust.checkRoot(step.root().serial(), StoreKeys.ROOT);
            trust.acceptRoot(step.root().serial(), step.nextRootKeys());
        });
        var bytes = root.envelopeJson();
        try {
            AtomicFiles.write(layout.trustedRootCopy(), bytes);
        } catch (IOException e) {
            throw new SyncException.LocalStateError("cannot write " + layout.trustedRootCopy() + ": " + e.getMessage(), e);
        }
        return root;
    }

    private void enforceCacheLimit() {
        var pinned = new HashSet<String>();
        long largest = 0;
        for (var m : models) {
            pinned.addAll(m.retain());
            largest = Math.max(largest, m.largestKeptBytes());
        }
        long limit = config.cacheMaxBytes() > 0 ? config.cacheMaxBytes() : 2 * largest;
        cache.evict(limit, pinned);
    }

    /** Removes versions beyond the kept ones, every cached chunk they do not reference, and partial downloads. Returns bytes freed. */
    public synchronized long gc() {
        var pinned = new HashSet<String>();
        for (var m : models) pinned.addAll(m.retain());
        return cache.removeAllExcept(pinned) + cache.removePartials();
    }

    /** Re-hashes every active version now; returns problems per model (empty lists = intact). */
    public synchronized java.util.Map<String, List<String>> verify() {
        var out = new java.util.LinkedHashMap<String, List<String>>();
        for (var m : models) out.put(m.model(), m.verifyActive());
        return out;
    }

    /** Starts the background loop (and MQTT when configured). */
    public synchronized SyncAgent start() {
        if (running) return this;
        running = true;
        if (config.mqtt() != null && config.mqtt().uri() != null) {
            mqtt = new MqttLink(config.mqtt(), config.deviceId(), config.models(), this::wake);
            mqtt.connect();
            listeners.add(mqtt::publishState);
        }
        loop = Thread.ofPlatform().name("sync-agent").daemon(true).start(this::loop);
        return this;
    }

    public void wake() {
        synchronized (wake) {
            woken = true;
            wake.notifyAll();
        }
    }

    private void loop() {
        while (running) {
            try {
                runOnce();
            } catch (SyncException e) {
                LOG.log(System.Logger.Level.ERROR, "sync cycle failed: {0}", e.getMessage());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "sync cycle failed unexpectedly", e);
            }
            var pending = status().stream().anyMatch(s -> s.pending() != null);
            var wait = pending ? Duration.ofSeconds(2) : config.pollInterval();
            long deadline = System.nanoTime() + wait.toNanos();
            synchronized (wake) {
                while (running && !woken) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) break;
                    if (pending) models.forEach(ModelSync::checkRuntime);
                    try {
                        wake.wait(Math.max(1, Math.min(left / 1_000_000, 2000)));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                woken = false;
            }
        }
    }

    private void publish(AgentState s) {
        for (var l : listeners) {
            try {
                l.accept(s);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "state listener failed: {0}", e.getMessage());
            }
        }
    }

    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        running = false;
        wake();
        if (loop != null) {
            try {
                loop.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (mqtt != null) mqtt.close();
        store.close();
        cache.saveLru();
        releaseLock();
    }

    private void releaseLock() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // Closing the channel releases it too.
        }
        closeQuietly(lockChannel);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // Nothing left to do with a lock file we cannot close.
        }
    }
}
