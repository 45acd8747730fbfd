package ai.appliance.runtime.serving;

import ai.appliance.runtime.api.ApiException;
import ai.appliance.runtime.api.ErrorKind;
import ai.appliance.runtime.metrics.VersionMetrics;
import ai.appliance.runtime.scheduler.KvBudget;
import ai.appliance.runtime.scheduler.PrefixCache;
import ai.appliance.runtime.scheduler.Scheduler;
import ai.appliance.runtime.scheduler.SchedulerSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The models being served and how traffic is split between their versions. Each version has its own
 * scheduler; switching versions routes new requests to the new one while the old one drains its in-flight
 * requests and is then freed (hot swap). Weighted routing between two loaded versions gives A/B tests.
 */
public final class ModelCatalog implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ModelCatalog.class.getName());

    private final SchedulerSettings settings;
    private final KvBudget kvBudget;
    private final PrefixCache prefixCache;
    private final VersionMetrics metrics;
    private final Duration drainGrace;
    private final Map<String, List<Entry>> routes = new LinkedHashMap<>();
    private final List<Consumer<ModelCatalog>> listeners = new ArrayList<>();
    private String defaultModel;
    private boolean closed;

    private record Entry(ServedVersion served, double weight) { }

    public ModelCatalog(SchedulerSettings settings, VersionMetrics metrics, Duration drainGrace) {
        this(settings, KvBudget.of(0), PrefixCache.disabled(), metrics, drainGrace);
    }

    /**
     * @param kvBudget    heap for KV caches, shared by the schedulers of every version served
     * @param prefixCache prompt blocks kept across requests, shared likewise (each version in its own scope)
     */
    public ModelCatalog(SchedulerSettings settings, KvBudget kvBudget, PrefixCache prefixCache, VersionMetrics metrics,
                        Duration drainGrace) {
        this.settings = settings;
        this.kvBudget = kvBudget;
        this.prefixCache = prefixCache;
        this.metrics = metrics;
        this.drainGrace = drainGrace;
    }

    /** Called after every change (status topic, metrics). */
    public synchronized void onChange(Consumer<ModelCatalog> listener) {
        listeners.add(listener);
    }

    /**
     * Starts serving {@code model}. With {@code makeActive} it takes all traffic of its name and the versions
     * it replaces drain and close; otherwise it is loaded beside them with weight 0, ready for a switch or split.
     */
    public void add(LoadedModel model, Duration loadTime, boolean makeActive) {
        var observer = metrics.loaded(model.name(), model.version(), loadTime);
        var scheduler = new Scheduler(model.name() + "-" + model.version(), model.engine(), settings, observer, kvBudget,
                prefixCache);
        var served = new ServedVersion(model, scheduler, observer, Instant.now(), loadTime);
        List<ServedVersion> retired = new ArrayList<>();
        synchronized (this) {
            var entries = routes.computeIfAbsent(model.name(), n -> new ArrayList<>());
            entries.removeIf(e -> {
                if (e.served().version().equals(model.version())) {
                    retired.add(e.served());
                    return true;
                }
                return false;
            });
            if (makeActive || entries.isEmpty()) {
                entries.forEach(e -> retired.add(e.served()));
                entries.clear();
                entries.add(new Entry(served, 1.0));
            } else {
                entries.add(new Entry(served, 0.0));
            }
            if (!model.demo()) {
                // The demo stands in only while nothing real is served: the first real model takes its place,
                // including for requests that name no model.
                retired.addAll(removeDemos());
                if (defaultModel == null || !routes.containsKey(defaultModel)) {
                    defaultModel = model.name();
                }
            } else if (defaultModel == null) {
                defaultModel = model.name();
            }
        }
        retired.forEach(this::retire);
        changed();
    }

    private List<ServedVersion> removeDemos() {
        var removed = new ArrayList<ServedVersion>();
        for (var it = routes.entrySet().iterator(); it.hasNext(); ) {
            var route = it.next();
            route.getValue().removeIf(e -> {
                if (e.served().model().demo()) {
                    removed.add(e.served());
                    return true;
                }
                return false;
            });
            if (route.getValue().isEmpty()) {
                it.remove();
            }
        }
        return removed;
    }

    /** Whether some version of {@code name} is being served. */
    public synchronized boolean serves(String name) {
        var entries = routes.get(name);
        return entries != null && !entries.isEmpty();
    }

    /** Sends all traffic of {@code name} to {@code version}; the others drain and close. */
    public void switchTo(String name, String version) {
        List<ServedVersion> retired = new ArrayList<>();
        synchronized (this) {
            var entries = entries(name);
            var target = find(entries, name, version);
            for (var e : entries) {
                if (e != target) {
                    retired.add(e.served());
                }
            }
            entries.clear();
            entries.add(new Entry(target.served(), 1.0));
        }
        retired.forEach(this::retire);
        changed();
    }

    /** Sets traffic weights of loaded versions (e.g. {"v1": 0.8, "v2": 0.2}); unnamed versions get 0. */
    public void split(String name, Map<String, Double> weights) {
        synchronized (this) {
            var entries = entries(name);
            double total = 0;
            for (var w : weights.entrySet()) {
                find(entries, name, w.getKey());
                if (w.getValue() < 0 || w.getValue().isNaN()) {
                    throw ApiException.invalid("weights", "weight of version " + w.getKey() + " must be >= 0");
                }
                total += w.getValue();
            }
            if (total <= 0) {
                throw ApiException.invalid("weights", "at least one version needs a positive weight");
            }
            var updated = new ArrayList<Entry>();
            for (var e : entries) {
                updated.add(new Entry(e.served(), weights.getOrDefault(e.served().version(), 0.0) / total));
            }
            entries.clear();
            entries.addAll(updated);
        }
        changed();
    }

    /** Throws 503 once the appliance is shutting down: requests forwarded to upstreams are refused then too. */
    public synchronized void requireOpen() {
        if (closed) {
            throw new ApiException(ErrorKind.UNAVAILABLE, "the appliance is shutting down; retry on another one",
                    null, 5);
        }
    }

    /** Picks the version that serves the next request for {@code name} (null: the default model). */
    public ServedVersion route(String name) {
        synchronized (this) {
            requireOpen();
            String key = name == null || name.isBlank() ? defaultModel : name;
            var entries = key == null ? null : routes.get(key);
            if (entries == null || entries.isEmpty()) {
                throw new ApiException(ErrorKind.MODEL_NOT_FOUND, key == null
                        ? "no model is loaded yet" : "the model '" + key + "' does not exist; GET /v1/models lists them",
                        "model", 0);
            }
            double r = ThreadLocalRandom.current().nextDouble();
            double acc = 0;
            Entry last = null;
            for (var e : entries) {
                if (e.weight() <= 0) {
                    continue;
                }
                acc += e.weight();
                last = e;
                if (r < acc) {
                    return e.served();
                }
            }
            return last != null ? last.served() : entries.getFirst().served();
        }
    }

    public synchronized List<ModelInfo> list() {
        var out = new ArrayList<ModelInfo>();
        routes.values().forEach(entries -> entries.forEach(e -> out.add(new ModelInfo(e.served().name(),
                e.served().version(), e.served().model().demo(), e.weight(), e.served().loadedAt().getEpochSecond()))));
        return out;
    }

    public synchronized List<ServedVersion> versions() {
        var out = new ArrayList<ServedVersion>();
        routes.values().forEach(entries -> entries.forEach(e -> out.add(e.served())));
        return out;
    }

    public synchronized boolean isEmpty() {
        return routes.values().stream().allMatch(List::isEmpty);
    }

    /** Sum over schedulers: requests waiting and running, for metrics. */
    public synchronized int[] load() {
        int queued = 0;
        int running = 0;
        for (var v : versions()) {
            queued += v.scheduler().queueDepth();
            running += v.scheduler().runningCount();
        }
        return new int[] {queued, running};
    }

    /** Stops every scheduler (in-flight requests get {@code grace} to finish) and frees every model. */
    public void shutdown(Duration grace) {
        List<ServedVersion> all;
        synchronized (this) {
            all = versions();
            routes.clear();
            closed = true;
        }
        var threads = new ArrayList<Thread>();
        for (var v : all) {
            threads.add(Thread.ofVirtual().start(() -> {
                v.scheduler().shutdown(grace);
                v.model().close();
                v.metrics().close();
            }));
        }
        for (var t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        shutdown(Duration.ZERO);
    }

    private List<Entry> entries(String name) {
        var entries = routes.get(name);
        if (entries == null || entries.isEmpty()) {
            throw new ApiException(ErrorKind.MODEL_NOT_FOUND, "the model '" + name + "' does not exist", "model", 0);
        }
        return entries;
    }

    private static Entry find(List<Entry> entries, String name, String version) {
        return entries.stream().filter(e -> e.served().version().equals(version)).findFirst()
                .orElseThrow(() -> new ApiException(ErrorKind.NOT_FOUND, "version '" + version + "' of model '"
                        + name + "' is not loaded; load it first", "version", 0));
    }

    private void retire(ServedVersion old) {
        LOG.info(() -> "retiring " + old.name() + " " + old.version() + ": new requests go elsewhere, in-flight ones finish");
        Thread.ofVirtual().name("retire-" + old.name() + "-" + old.version()).start(() -> {
            old.scheduler().shutdown(drainGrace);
            old.model().close();
            old.metrics().close();
            LOG.info(() -> "freed " + old.name() + " " + old.version());
        });
    }

    private void changed() {
        List<Consumer<ModelCatalog>> copy;
        synchronized (this) {
            copy = List.copyOf(listeners);
        }
        copy.forEach(l -> l.accept(this));
    }
}
