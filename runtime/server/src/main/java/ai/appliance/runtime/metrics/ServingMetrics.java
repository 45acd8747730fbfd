package ai.appliance.runtime.metrics;

import ai.appliance.runtime.scheduler.PrefixCache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Every serving metric, exposed in Prometheus text format by {@link #scrape()}; names follow Prometheus
 * conventions (base units in the name, {@code _total} counters, histograms for latencies) and docs/api.md lists
 * each series. Scheduler gauges are per model version ({@link VersionGauges}); latencies and token counts are for
 * the whole appliance. Sources outside the serving path (sync agent state, certificates) are read at scrape time.
 */
public final class ServingMetrics implements VersionMetrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer timeToFirstToken;
    private final Timer timePerOutputToken;
    private final Timer queueWait;
    private final DistributionSummary promptLength;
    private final Counter promptTokens;
    private final Counter generatedTokens;
    private final AtomicLong mqttConnected = new AtomicLong();
    private final ServedModelGauges servedModels;
    private final List<Runnable> beforeScrape = new CopyOnWriteArrayList<>();
    /** Keyed by (model, version); guarded by {@code this}. */
    private final Map<List<String>, VersionGauges> versions = new HashMap<>();

    public ServingMetrics() {
        timeToFirstToken = Timer.builder("appliance.time.to.first.token")
                .description("Time from request submission to its first generated token")
                .serviceLevelObjectives(ms(25), ms(50), ms(100), ms(250), ms(500), ms(1000), ms(2500), ms(5000),
                        ms(10000), ms(30000))
                .register(registry);
        // Buckets bracket the 150 ms default target of the time-per-output-token alert.
        timePerOutputToken = Timer.builder("appliance.time.per.output.token")
                .description("Time between consecutive output tokens of one request (decode step latency)")
                .serviceLevelObjectives(ms(5), ms(10), ms(20), ms(40), ms(80), ms(100), ms(150), ms(200), ms(320),
                        ms(640), ms(1280))
                .register(registry);
        queueWait = Timer.builder("appliance.queue.wait")
                .description("Time a request waited in the queue before it started (batch slot and KV memory)")
                .serviceLevelObjectives(ms(1), ms(10), ms(50), ms(100), ms(250), ms(500), ms(1000), ms(2500),
                        ms(5000), ms(10000), ms(30000))
                .register(registry);
        promptLength = DistributionSummary.builder("appliance.request.prompt.tokens")
                .description("Prompt length of finished requests (sizes the context and the prefill chunk)")
                .serviceLevelObjectives(16, 64, 256, 1024, 4096, 16384, 65536)
                .register(registry);
        promptTokens = Counter.builder("appliance.prompt.tokens").description("Prompt tokens processed")
                .register(registry);
        generatedTokens = Counter.builder("appliance.generated.tokens")
                .description("Tokens generated; rate() of it is the output tokens per second").register(registry);
        Gauge.builder("appliance.mqtt.connected", mqttConnected, AtomicLong::get)
                .description("1 while the MQTT gateway is connected to its broker, else 0").register(registry);
        servedModels = new ServedModelGauges(registry);
        new ProcessMemory().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
    }

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    /** Counts a finished request by front end and status code. */
    public void request(String frontEnd, int status) {
        Counter.builder("appliance.requests").tag("frontend", frontEnd).tag("status", Integer.toString(status))
                .description("Requests by front end and status").register(registry).increment();
    }

    public void promptLength(int tokens) {
        promptLength.record(tokens);
    }

    /** The versions served and their share of traffic (model info and A/B split). */
    public void servedModels(List<ServedModelGauges.Row> rows) {
        servedModels.update(rows);
    }

    /** The sync agent's state files under {@code storeRoot}, read at every scrape. */
    public void syncAgent(Path storeRoot) {
        var gauges = new SyncAgentGauges(registry, storeRoot);
        beforeScrape.add(gauges::refresh);
    }

    /** When a certificate the appliance presents expires ({@code use}: server, mqtt). */
    public void certificate(String use, Instant notAfter) {
        Gauge.builder("appliance.certificate.expiry.timestamp.seconds", () -> notAfter.getEpochSecond())
                .tag("use", use)
                .description("When the certificate expires (Unix seconds); alert when under 14 days remain")
                .register(registry);
    }

    @Override
    public synchronized Observer loaded(String model, String version, Duration loadTime) {
        var key = List.of(model, version);
        var gauges = versions.computeIfAbsent(key, k -> new VersionGauges(registry, model, version));
        return new SchedulerMetrics(key, gauges, gauges.started(loadTime));
    }

    private synchronized void freed(SchedulerMetrics scheduler) {
        if (scheduler.gauges.freed(scheduler.state)) {
            versions.remove(scheduler.key);
        }
    }

    /** The KV-cache memory budget and what running requests hold of it: requests wait when these meet. */
    public void kvCacheBudget(long limitBytes, LongSupplier reservedBytes) {
        Gauge.builder("appliance.kv.cache.budget.bytes", () -> limitBytes)
                .description("Heap bytes that KV caches may hold at once (scheduler.kv-cache-bytes)").register(registry);
        Gauge.builder("appliance.kv.cache.reserved.bytes", reservedBytes::getAsLong)
                .description("Heap bytes held by the KV caches of running requests").register(registry);
        Gauge.builder("appliance.kv.cache.usage.ratio", () -> limitBytes <= 0 ? 0 : (double) reservedBytes.getAsLong() / limitBytes)
                .description("Share of the KV-cache budget held by running requests (0..1)").register(registry);
    }

    /** How much prompt work the prefix cache saves: lookups, hits, reused tokens, and the memory it holds. */
    public void prefixCache(PrefixCache cache) {
        FunctionCounter.builder("appliance.prefix.cache.lookups", cache, PrefixCache::lookups)
                .description("Prompts looked up in the prefix cache").register(registry);
        FunctionCounter.builder("appliance.prefix.cache.hits", cache, PrefixCache::hits)
                .description("Prompts that reused at least one cached block").register(registry);
        FunctionCounter.builder("appliance.prefix.cache.reused.tokens", cache, PrefixCache::reusedTokens)
                .description("Prompt tokens whose KV rows came from the prefix cache").register(registry);
        FunctionCounter.builder("appliance.prefix.cache.evictions", cache, PrefixCache::evictions)
                .description("Blocks evicted to stay within scheduler.prefix-cache.bytes").register(registry);
        Gauge.builder("appliance.prefix.cache.hit.ratio", cache, c -> c.lookups() == 0 ? 0 : (double) c.hits() / c.lookups())
                .description("Share of looked-up prompts that reused at least one block, since start").register(registry);
        Gauge.builder("appliance.prefix.cache.bytes", cache, c -> c.bytes())
                .description("Heap bytes held by cached prompt blocks").register(registry);
        Gauge.builder("appliance.prefix.cache.budget.bytes", cache, c -> c.maxBytes())
                .description("Heap bytes cached prompt blocks may hold (scheduler.prefix-cache.bytes)").register(registry);
    }

    /** The series of the upstream behind model entry {@code upstream}; {@code state} is read at every scrape. */
    public UpstreamMetrics upstream(String upstream, Supplier<String> state) {
        return new UpstreamMetrics(registry, upstream, state);
    }

    /** A local model answered a request meant for {@code upstream} ({@code reason}: why, as the audit log says). */
    public void upstreamFallback(String upstream, String reason) {
        Counter.builder("appliance.upstream.fallbacks").tag("upstream", upstream).tag("reason", reason)
                .description("Requests meant for the upstream that its local fallback answered, by reason")
                .register(registry).increment();
    }

    public void mqttConnected(boolean connected) {
        mqttConnected.set(connected ? 1 : 0);
    }

    public String scrape() {
        beforeScrape.forEach(Runnable::run);
        return registry.scrape();
    }

    /** One scheduler's reports: gauges into its version's series, latencies and tokens appliance-wide. */
    private final class SchedulerMetrics implements Observer {
        final List<String> key;
        final VersionGauges gauges;
        final VersionGauges.SchedulerState state;
        private final AtomicBoolean closed = new AtomicBoolean();

        SchedulerMetrics(List<String> key, VersionGauges gauges, VersionGauges.SchedulerState state) {
            this.key = key;
            this.gauges = gauges;
            this.state = state;
        }

        @Override
        public void queueDepth(int depth) {
            state.queueDepth.set(depth);
        }

        @Override
        public void batchSize(int running) {
            state.batchSize.set(running);
        }

        @Override
        public void kvCacheUse(long positionsUsed, long positionsReserved) {
            state.kvUsed.set(positionsUsed);
            state.kvReserved.set(positionsReserved);
        }

        @Override
        public void firstToken(long nanosSinceSubmit) {
            timeToFirstToken.record(nanosSinceSubmit, TimeUnit.NANOSECONDS);
        }

        @Override
        public void interToken(long nanos) {
            timePerOutputToken.record(nanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public void queueWait(long nanos) {
            queueWait.record(nanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public void tokens(int promptTokens, int completionTokens) {
            ServingMetrics.this.promptTokens.increment(promptTokens);
            generatedTokens.increment(completionTokens);
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                freed(this);
            }
        }
    }
}
