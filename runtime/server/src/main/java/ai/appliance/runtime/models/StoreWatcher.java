package ai.appliance.runtime.models;

import ai.appliance.runtime.serving.ModelCatalog;
import ai.appliance.runtime.serving.ModelLoader;
import ai.appliance.sync.contract.ModelSlot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The runtime side of the sync agent's contract (docs/formats.md §8): serves every model of the local store
 * from the version its {@code active} link points at, loads a new version beside the old one when the link
 * changes (new requests move over, in-flight ones finish on the old one, which is then freed) and reports each
 * load in {@code load-status.json}, so a failed version is rolled back by the agent.
 */
public final class StoreWatcher implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(StoreWatcher.class.getName());

    private final Path storeRoot;
    private final ModelCatalog catalog;
    private final ModelLoader loader;
    private final Map<String, String> attempted = new HashMap<>();
    private final Map<String, String> failures = new java.util.TreeMap<>();
    private volatile Thread thread;

    public StoreWatcher(Path storeRoot, ModelCatalog catalog, ModelLoader loader) {
        this.storeRoot = storeRoot;
        this.catalog = catalog;
        this.loader = loader;
    }

    /** Names of models in the store that have an active version. */
    public List<String> modelsWithActiveVersion() {
        var models = storeRoot.resolve("models");
        if (!Files.isDirectory(models)) {
            return List.of();
        }
        try (var dirs = Files.list(models)) {
            return dirs.filter(d -> Files.isSymbolicLink(d.resolve(ModelSlot.ACTIVE)))
                    .map(d -> d.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            LOG.warning("cannot list " + models + ": " + e.getMessage());
            return List.of();
        }
    }

    /** Loads whatever changed since the last call; returns how many versions were loaded. */
    public synchronized int scan() {
        int loaded = 0;
        for (var name : modelsWithActiveVersion()) {
            var slot = ModelSlot.of(storeRoot, name);
            var active = slot.active();
            if (active.isEmpty() || active.get().version().equals(attempted.get(name))) {
                continue;
            }
            var version = active.get().version();
            attempted.put(name, version);
            long start = System.nanoTime();
            try {
                var model = loader.load(ModelPaths.modelIn(active.get().folder()), name, version);
                var took = Duration.ofNanos(System.nanoTime() - start);
                catalog.add(model, took, true);
                slot.reportLoaded(version);
                failures.remove(name);
                loaded++;
                LOG.info(() -> "store: serving " + name + " " + version + " (loaded in " + took.toMillis() + " ms)");
            } catch (RuntimeException e) {
                var reason = String.valueOf(e.getMessage()).replace('\n', ' ');
                slot.reportFailed(version, reason);
                failures.put(name, name + " " + version + ": " + reason);
                LOG.severe("store: cannot load " + name + " " + version + ": " + reason
                        + " (reported in load-status.json; the sync agent rolls back)");
            }
        }
        return loaded;
    }

    /**
     * Why a store model is not being served: its active version failed to load and no earlier version of it is
     * running. Null when every model of the store that was tried is served.
     */
    public synchronized String problem() {
        var unserved = failures.entrySet().stream().filter(f -> !catalog.serves(f.getKey())).map(Map.Entry::getValue)
                .toList();
        return unserved.isEmpty() ? null : "cannot load " + String.join("; ", unserved);
    }

    /** Polls every {@code period} (the contract's fallback that works on every file system). */
    public void start(Duration period) {
        thread = Thread.ofVirtual().name("store-watcher").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(period);
                } catch (InterruptedException e) {
                    return;
                }
                scan();
            }
        });
    }

    @Override
    public void close() {
        var t = thread;
        if (t != null) {
            t.interrupt();
        }
    }
}
