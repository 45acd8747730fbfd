package ai.appliance.sync.agent;

import ai.appliance.sync.SyncException;
import ai.appliance.sync.contract.ModelSlot;
import ai.appliance.sync.fleet.Rollout;
import ai.appliance.sync.manifest.ChannelPointer;
import ai.appliance.sync.manifest.Manifest;
import ai.appliance.sync.store.ObjectStore;
import ai.appliance.sync.store.StoreKeys;
import ai.appliance.sync.trust.Envelope;
import ai.appliance.sync.trust.MetadataVerifier;
import ai.appliance.sync.trust.TrustState;
import ai.appliance.sync.util.AtomicFiles;
import ai.appliance.sync.util.Json;
import ai.appliance.sync.util.Sha256;
import ai.appliance.sync.util.Times;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The sync cycle of one model: desired version → verified metadata → plan → download → assemble → verify →
 * switch → wait for the runtime → keep or roll back. Single-threaded per model; the agent serialises calls.
 */
public final class ModelSync {
    private static final System.Logger LOG = System.getLogger(ModelSync.class.getName());

    private final SyncConfig config;
    private final SyncConfig.ModelRef ref;
    private final LocalLayout layout;
    private final ModelSlot slot;
    private final ObjectStore store;
    private final MetadataVerifier verifier;
    private final TrustState trust;
    private final ChunkCache cache;
    private final ChunkFetcher fetcher;
    private final VersionAssembler assembler;
    private final Clock clock;
    private final Consumer<AgentState> listener;
    /** Verified manifests by envelope SHA-256: polls that find no change cost one small GET, no re-verification. */
    private final Cache<String, Manifest> manifests = Caffeine.newBuilder().maximumSize(16).build();
    private AgentState state;

    ModelSync(SyncConfig config, SyncConfig.ModelRef ref, ObjectStore store, MetadataVerifier verifier, TrustState trust,
              ChunkCache cache, Clock clock, Consumer<AgentState> listener) {
        this.config = config;
        this.ref = ref;
        this.layout = new LocalLayout(config.storeRoot());
        this.slot = layout.slot(ref.name());
        this.store = store;
        this.verifier = verifier;
        this.trust = trust;
        this.cache = cache;
        this.clock = clock;
        this.listener = listener;
        this.fetcher = new ChunkFetcher(store, cache, config.parallelism(), config.retries(), config.bandwidthBytesPerSecond());
        this.assembler = new VersionAssembler(layout, cache);
        this.state = reconcile(loadState());
        save();
    }

    public String model() {
        return ref.name();
    }

    public synchronized AgentState state() {
        return state;
    }

    // ---------------------------------------------------------------- the cycle

    /** One pass; never throws for store or metadata problems (they end up in the state), only for local disk failures. */
    public synchronized AgentState cycle(MetadataVerifier.TrustedRoot root, SyncException rootError) {
        checkRuntime();
        var now = Times.format(clock.instant());
        try {
            if (rootError != null) throw rootError;
            var pointer = fetchPointer(root);
            var target = Rollout.choose(pointer, config.deviceId());
            update(state.checked(now, store.answering()).offlineSince(null).desired(target.map(ChannelPointer.Target::version).orElse(state.active())));
            if (target.isEmpty() || target.get().version().equals(state.active())) {
                // A damaged active version keeps its alarm until an operator or a new release resolves it.
                if (!List.of("awaiting-runtime", "corrupt").contains(state.state())) {
                    update(state.state(isSettled() ? state.state() : "idle").error(null));
                }
                return state;
            }
            var t = target.get();
            var badReason = state.bad().get(t.version());
            if (badReason != null) {
                update(state.error("version " + t.version() + " is marked bad (" + badReason + "); waiting for a newer release"));
                return state;
            }
            install(t, root);
        } catch (SyncException.StoreUnavailable e) {
            LOG.log(System.Logger.Level.WARNING, "{0}: offline: {1}", ref.name(), e.getMessage());
            update(state.offlineSince(state.offlineSince() != null ? state.offlineSince() : now).checked(now, null)
                    .state(state.active() == null ? "offline" : isSettled() ? state.state() : "idle").error(e.getMessage()));
        } catch (SyncException.LocalStateError e) {
            update(state.state("failed").error(e.getMessage()));
            throw e;
        } catch (SyncException e) {
            LOG.log(System.Logger.Level.ERROR, "{0}: update refused: {1}", ref.name(), e.getMessage());
            update(state.state("refused").error(e.getMessage()).offlineSince(null));
        }
        return state;
    }

    private boolean isSettled() {
        return List.of("confirmed", "unconfirmed", "rolled-back", "awaiting-runtime").contains(state.state());
    }

    private ChannelPointer fetchPointer(MetadataVerifier.TrustedRoot root) {
        var key = StoreKeys.channel(ref.name(), ref.channel());
        var bytes = store.get(key).orElseThrow(() -> new SyncException.NotFound(store.describe() + ": no channel " + key + " (nothing published for this model/group)"));
        var pointer = verifier.verifyChannel(bytes, root.releaseKeys(), key);
        if (!pointer.model().equals(ref.name()) || !pointer.channel().equals(ref.channel())) {
            throw new SyncException.MalformedMetadata(key + ": pointer is for " + pointer.model() + "/" + pointer.channel());
        }
        trust.checkChannel(ref.name(), pointer.serial(), key);
        trust.acceptChannel(ref.name(), pointer.serial());
        return pointer;
    }

    private Manifest fetchManifest(ChannelPointer.Target t, MetadataVerifier.TrustedRoot root) {
        var key = StoreKeys.manifest(ref.name(), t.version());
        var cached = manifests.getIfPresent(t.manifestSha256());
        if (cached != null) return cached;
        var bytes = store.get(key).orElseThrow(() -> new SyncException.NotFound(store.describe() + ": channel names " + key + " but it is missing"));
        if (!Sha256.hex(bytes).equals(t.manifestSha256())) {
            throw new SyncException.IntegrityFailure(key + ": SHA-256 differs from the one the signed channel pointer names (replaced or tampered manifest)");
        }
        var m = verifier.verifyManifest(bytes, root.releaseKeys(), key);
        if (!m.model().equals(ref.name()) || !m.version().equals(t.version()) || m.serial() != t.manifestSerial()) {
            throw new SyncException.MalformedMetadata(key + ": manifest says " + m.model() + " " + m.version() + " serial " + m.serial()
                    + ", pointer says " + t.version() + " serial " + t.manifestSerial());
        }
        trust.checkManifest(ref.name(), m.serial(), key);
        writeLocal(layout.manifest(ref.name(), m.version()), bytes);
        manifests.put(t.manifestSha256(), m);
        return m;
    }

    private void install(ChannelPointer.Target t, MetadataVerifier.TrustedRoot root) {
        var manifest = fetchManifest(t, root);
        var local = localSource();
        var plan = new LinkedHashMap<String, Long>();
        manifest.distinctChunks().forEach((id, size) -> {
            if (!cache.has(id) && !local.has(id)) plan.put(id, size);
        });
        long planBytes = plan.values().stream().mapToLong(Long::longValue).sum();
        LOG.log(System.Logger.Level.INFO, "{0}: updating {1} -> {2}: {3} of {4} chunks to fetch ({5} bytes)",
                ref.name(), state.active(), t.version(), plan.size(), manifest.distinctChunks().size(), planBytes);
        update(state.state("downloading").progress(0).error(null));
        long downloadedBefore = state.bytesDownloaded();
        fetcher.fetch(plan, (done, total) -> updateProgress(total == 0 ? 1 : (double) done / total, downloadedBefore + done));
        update(state.state("verifying").progress(1));
        assembler.assemble(manifest, local);
        update(state.state("activating"));
        activate(manifest.version(), "update");
        trust.acceptManifest(ref.name(), manifest.serial());
        // A newer signed release clears old bad marks: the operator fixed something.
        var bad = new HashMap<String, String>();
        state.bad().forEach((v, why) -> {
            if (localSerial(v).orElse(Long.MAX_VALUE) >= manifest.serial() && !v.equals(manifest.version())) bad.put(v, why);
        });
        update(state.versions(state.active(), state.previous(), bad));
        retain();
    }

    /** Switches {@code active} and records the old one as the newest rollback target. */
    private void activate(String version, String why) {
        var old = state.active();
        Activator.switchTo(slot, version);
        var previous = new ArrayList<String>();
        if (old != null && !old.equals(version)) previous.add(old);
        state.previous().stream().filter(v -> !v.equals(version) && !previous.contains(v)).forEach(previous::add);
        var since = Times.format(clock.instant());
        update(state.versions(version, previous, state.bad()).pending(version, since).state("awaiting-runtime"));
        LOG.log(System.Logger.Level.INFO, "{0}: activated {1} ({2})", ref.name(), version, why);
    }

    /** Reads the runtime's report for a freshly activated version; rolls back on failure. */
    public synchronized void checkRuntime() {
        var pending = state.pending();
        if (pending == null) return;
        var since = Times.parse(state.pendingSince(), "pendingSince");
        var report = slot.loadStatus().filter(s -> pending.equals(s.version()))
                .filter(s -> !Times.parse(s.time(), slot.loadStatusFile() + ": time").isBefore(since));
        if (report.isPresent() && report.get().loaded()) {
            update(state.pending(null, null).state("confirmed").error(null));
        } else if (report.isPresent() && report.get().failed()) {
            var error = report.get().error() == null ? "runtime failed to load it" : report.get().error();
            var bad = new HashMap<>(state.bad());
            bad.put(pending, error);
            if (state.previous().isEmpty()) {
                update(state.versions(state.active(), state.previous(), bad).pending(null, null).state("failed")
                        .error("runtime failed to load " + pending + " (" + error + ") and there is no earlier version to roll back to"));
                return;
            }
            var back = state.previous().getFirst();
            Activator.switchTo(slot, back);
            var rest = new ArrayList<>(state.previous().subList(1, state.previous().size()));
            rest.addFirst(pending);
            update(state.versions(back, rest, bad).pending(null, null).state("rolled-back")
                    .error("runtime failed to load " + pending + ": " + error + "; rolled back to " + back));
            LOG.log(System.Logger.Level.WARNING, "{0}: rolled back to {1}: {2}", ref.name(), back, error);
        } else if (Duration.between(since, clock.instant()).compareTo(config.loadTimeout()) > 0) {
            update(state.pending(null, null).state("unconfirmed"));
        }
    }

    /** Operator rollback to the newest kept earlier version; the current one is marked bad. */
    public synchronized AgentState rollback(String reason) {
        if (state.active() == null || state.previous().isEmpty()) {
            throw new SyncException.UsageError(ref.name() + ": no earlier verified version to roll back to");
        }
        var current = state.active();
        var back = state.previous().getFirst();
        var m = localManifest(back);
        VersionFiles.requireIntact(m, layout.version(ref.name(), back));
        Activator.switchTo(slot, back);
        var bad = new HashMap<>(state.bad());
        bad.put(current, reason);
        var rest = new ArrayList<>(state.previous().subList(1, state.previous().size()));
        rest.addFirst(current);
        update(state.versions(back, rest, bad).pending(back, Times.format(clock.instant())).state("rolled-back").error(null));
        return state;
    }

    /**
     * Re-hashes the active version. Damage (disk fault, tampering on the box) is never left serving: when an
     * intact earlier version is kept, the agent switches to it and drops the damaged folder, so the next cycle
     * rebuilds the desired version from verified chunks. Returns the problems found (empty = intact).
     */
    public synchronized List<String> verifyActive() {
        if (state.active() == null) return List.of();
        var damaged = state.active();
        var problems = VersionFiles.problems(localManifest(damaged), layout.version(ref.name(), damaged));
        var now = Times.format(clock.instant());
        if (problems.isEmpty()) {
            update(state.verified(now));
            return problems;
        }
        var error = "verify " + damaged + ": " + problems.getFirst() + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : "");
        LOG.log(System.Logger.Level.ERROR, "{0}: {1}", ref.name(), error);
        for (var candidate : state.previous()) {
            if (state.bad().containsKey(candidate)) continue; // never fall back onto a release known to be bad
            var m = localManifestIfPresent(candidate);
            if (m.isEmpty() || !VersionFiles.problems(m.get(), layout.version(ref.name(), candidate)).isEmpty()) continue;
            Activator.switchTo(slot, candidate);
            var rest = new ArrayList<>(state.previous());
            rest.remove(candidate);
            try {
                VersionAssembler.deleteTree(layout.version(ref.name(), damaged));
            } catch (IOException e) {
                throw new SyncException.LocalStateError("cannot remove damaged " + layout.version(ref.name(), damaged) + ": " + e.getMessage(), e);
            }
            update(state.versions(candidate, rest, state.bad()).pending(candidate, now).state("awaiting-runtime")
                    .error(error + "; switched to intact " + candidate + ", " + damaged + " will be rebuilt"));
            return problems;
        }
        update(state.error(error + "; no intact earlier version to switch to").state("corrupt"));
        return problems;
    }

    /** Deletes versions beyond active + keepVersions and their manifests; returns the chunks still pinned. */
    synchronized Set<String> retain() {
        var keep = new ArrayList<String>();
        if (state.active() != null) keep.add(state.active());
        state.previous().stream().limit(config.keepVersions()).forEach(keep::add);
        try {
            var versions = slot.versionsFolder();
            if (Files.isDirectory(versions)) {
                try (var s = Files.list(versions)) {
                    for (var dir : s.toList()) {
                        if (!keep.contains(dir.getFileName().toString())) VersionAssembler.deleteTree(dir);
                    }
                }
            }
            var mdir = layout.manifests(ref.name());
            if (Files.isDirectory(mdir)) {
                try (var s = Files.list(mdir)) {
                    for (var f : s.toList()) {
                        var v = f.getFileName().toString().replaceFirst("\\.json$", "");
                        if (!keep.contains(v) && !v.equals(state.pending()) && !v.equals(state.desired())) Files.deleteIfExists(f);
                    }
                }
            }
        } catch (IOException e) {
            throw new SyncException.LocalStateError("cannot prune old versions of " + ref.name() + ": " + e.getMessage(), e);
        }
        if (state.previous().size() > config.keepVersions()) {
            update(state.versions(state.active(), state.previous().subList(0, config.keepVersions()), state.bad()));
        }
        var pinned = new HashSet<String>();
        for (var v : keep) localManifestIfPresent(v).ifPresent(m -> pinned.addAll(m.distinctChunks().keySet()));
        return pinned;
    }

    /** Bytes of the largest kept version (for the default cache limit). */
    synchronized long largestKeptBytes() {
        long max = 0;
        var keep = new ArrayList<String>();
        if (state.active() != null) keep.add(state.active());
        keep.addAll(state.previous());
        for (var v : keep) max = Math.max(max, localManifestIfPresent(v).map(Manifest::totalBytes).orElse(0L));
        return max;
    }

    private LocalChunkSource localSource() {
        var src = new LocalChunkSource();
        var versions = new ArrayList<String>();
        if (state.active() != null) versions.add(state.active());
        versions.addAll(state.previous());
        for (var v : versions) {
            var dir = layout.version(ref.name(), v);
            if (Files.isDirectory(dir)) localManifestIfPresent(v).ifPresent(m -> src.add(m, dir));
        }
        return src;
    }

    Manifest localManifest(String version) {
        return localManifestIfPresent(version).orElseThrow(() -> new SyncException.LocalStateError(
                "no local manifest for " + ref.name() + " " + version + " at " + layout.manifest(ref.name(), version), null));
    }

    /** A manifest this device verified when it installed the version (no expiry check: it is history, not news). */
    private Optional<Manifest> localManifestIfPresent(String version) {
        var p = layout.manifest(ref.name(), version);
        if (!Files.exists(p)) return Optional.empty();
        try {
            var env = Envelope.parse(Files.readAllBytes(p), p.toString());
            return Optional.of(Json.read(env.payloadBytes(p.toString()), Manifest.class, p.toString()).validated(p.toString()));
        } catch (IOException e) {
            throw new SyncException.LocalStateError("cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    private Optional<Long> localSerial(String version) {
        return localManifestIfPresent(version).map(Manifest::serial);
    }

    // ---------------------------------------------------------------- state persistence

    private AgentState loadState() {
        var file = layout.agentState(ref.name());
        if (!Files.exists(file)) return AgentState.initial(ref.name());
        try {
            var s = Json.read(Files.readAllBytes(file), AgentState.class, file.toString());
            return new AgentState(ref.name(), s.active(), s.previous() == null ? List.of() : s.previous(),
                    s.bad() == null ? Map.of() : s.bad(), s.state() == null ? "idle" : s.state(), s.progress(), s.lastError(),
                    s.offlineSince(), s.lastCheck(), s.lastVerified(), s.desired(), s.pending(), s.pendingSince(), s.store(), s.bytesDownloaded());
        } catch (IOException | SyncException.MalformedMetadata e) {
            LOG.log(System.Logger.Level.WARNING, "{0}: unreadable {1}; rebuilding from the active link", ref.name(), file);
            return AgentState.initial(ref.name());
        }
    }

    /**
     * After a kill the link is the truth: a switch may have happened without the state file catching up.
     * Staging leftovers are dropped (they were never visible to the runtime).
     */
    private AgentState reconcile(AgentState s) {
        try {
            VersionAssembler.deleteTree(layout.staging(ref.name()));
            Files.deleteIfExists(slot.folder().resolve(ModelSlot.ACTIVE + ".new"));
        } catch (IOException e) {
            throw new SyncException.LocalStateError("cannot clean staging of " + ref.name() + ": " + e.getMessage(), e);
        }
        var linked = slot.active().map(a -> a.version()).orElse(null);
        if (linked == null || linked.equals(s.active())) return s;
        var previous = new ArrayList<String>();
        if (s.active() != null) previous.add(s.active());
        s.previous().stream().filter(v -> !v.equals(linked) && !previous.contains(v)).forEach(previous::add);
        var since = Times.format(clock.instant());
        return s.versions(linked, previous, s.bad()).pending(linked, since).state("awaiting-runtime");
    }

    private final Object stateLock = new Object();

    private void update(AgentState next) {
        synchronized (stateLock) {
            state = next;
            save();
        }
        listener.accept(next);
    }

    /** Called from download threads; persists only whole-percent steps to keep fsyncs rare. */
    private void updateProgress(double p, long bytesDownloaded) {
        AgentState next;
        synchronized (stateLock) {
            if (Math.floor(p * 100) == Math.floor(state.progress() * 100) && p < 1) {
                state = state.downloaded(p, bytesDownloaded);
                return;
            }
            next = state.downloaded(p, bytesDownloaded);
        }
        update(next);
    }

    private void save() {
        try {
            AtomicFiles.write(layout.agentState(ref.name()), Json.writePretty(state));
        } catch (IOException e) {
            throw new SyncException.LocalStateError("cannot write " + layout.agentState(ref.name()) + ": " + e.getMessage(), e);
        }
    }

    private static void writeLocal(Path p, byte[] bytes) {
        try {
            AtomicFiles.write(p, bytes);
        } catch (IOException e) {
            throw new SyncException.LocalStateError("cannot write " + p + ": " + e.getMessage(), e);
        }
    }
}
