package ai.appliance.runtime.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The gauges of one model version, tagged {@code model} and {@code version}, from its load until it is freed.
 * Reloading a version under the same name starts a second scheduler while the first one drains; both report
 * under the same tags, so each gauge is the sum over the version's live schedulers rather than the last writer.
 */
final class VersionGauges {

    /** What one scheduler last reported. */
    static final class SchedulerState {
        final AtomicLong queueDepth = new AtomicLong();
        final AtomicLong batchSize = new AtomicLong();
        final AtomicLong kvUsed = new AtomicLong();
        final AtomicLong kvReserved = new AtomicLong();
    }

    private final MeterRegistry registry;
    private final List<SchedulerState> schedulers = new CopyOnWriteArrayList<>();
    private final AtomicLong loadMillis = new AtomicLong();
    private final List<Meter> meters = new ArrayList<>();

    VersionGauges(MeterRegistry registry, String model, String version) {
        this.registry = registry;
        var tags = Tags.of("model", model, "version", version);
        sum("appliance.queue.requests", "Requests waiting for a batch slot or KV memory", tags, s -> s.queueDepth);
        sum("appliance.running.sequences", "Sequences in the last batched step", tags, s -> s.batchSize);
        sum("appliance.kv.cache.positions", "KV cache positions of running sequences", tags.and("state", "used"),
                s -> s.kvUsed);
        sum("appliance.kv.cache.positions", "KV cache positions of running sequences", tags.and("state", "reserved"),
                s -> s.kvReserved);
        meters.add(Gauge.builder("appliance.model.load.seconds", loadMillis, v -> v.get() / 1000.0).tags(tags)
                .description("How long loading this model version took").register(registry));
    }

    private void sum(String name, String description, Tags tags, Function<SchedulerState, AtomicLong> value) {
        meters.add(Gauge.builder(name, schedulers, all -> all.stream().mapToLong(s -> value.apply(s).get()).sum())
                .tags(tags).description(description).register(registry));
    }

    /** A scheduler of this version starts; the latest load time is the one shown. */
    SchedulerState started(Duration loadTime) {
        loadMillis.set(loadTime.toMillis());
        var state = new SchedulerState();
        schedulers.add(state);
        return state;
    }

    /** A scheduler of this version was freed; returns true (and removes the series) when it was the last one. */
    boolean freed(SchedulerState state) {
        schedulers.remove(state);
        if (!schedulers.isEmpty()) {
            return false;
        }
        meters.forEach(registry::remove);
        return true;
    }
}
