package ai.appliance.runtime.metrics;

import ai.appliance.runtime.scheduler.SchedulerObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Every serving metric, exposed in Prometheus text format by {@link #scrape()}. */
public final class ServingMetrics implements SchedulerObserver {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer timeToFirstToken;
    private final Timer interToken;
    private final Counter tokensIn;
    private final Counter tokensOut;
    private final AtomicLong queueDepth = new AtomicLong();
    private final AtomicLong batchSize = new AtomicLong();
    private final AtomicLong kvUsed = new AtomicLong();
    private final AtomicLong kvReserved = new AtomicLong();
    private final AtomicLong mqttConnected = new AtomicLong();
    private final ConcurrentHashMap<String, AtomicLong> loadMillis = new ConcurrentHashMap<>();

    public ServingMetrics() {
        timeToFirstToken = Timer.builder("appliance.time.to.first.token")
                .description("Time from request submission to its first generated token")
                .serviceLevelObjectives(ms(25), ms(50), ms(100), ms(250), ms(500), ms(1000), ms(2500), ms(5000),
                        ms(10000), ms(30000))
                .register(registry);
        interToken = Timer.builder("appliance.inter.token.latency")
                .description("Time between consecutive tokens of one request")
                .serviceLevelObjectives(ms(5), ms(10), ms(20), ms(40), ms(80), ms(160), ms(320), ms(640), ms(1280))
                .register(registry);
        tokensIn = Counter.builder("appliance.tokens.in").description("Prompt tokens processed").register(registry);
        tokensOut = Counter.builder("appliance.tokens.out").description("Tokens generated").register(registry);
        Gauge.builder("appliance.queue.depth", queueDepth, AtomicLong::get)
                .description("Requests waiting for a batch slot").register(registry);
        Gauge.builder("appliance.batch.size", batchSize, AtomicLong::get)
                .description("Sequences in the last decode step").register(registry);
        Gauge.builder("appliance.kv.cache.positions", kvUsed, AtomicLong::get).tag("state", "used")
                .description("KV cache positions of running sequences").register(registry);
        Gauge.builder("appliance.kv.cache.positions", kvReserved, AtomicLong::get).tag("state", "reserved")
                .description("KV cache positions of running sequences").register(registry);
        Gauge.builder("appliance.mqtt.connected", mqttConnected, AtomicLong::get)
                .description("1 while the MQTT gateway is connected to its broker").register(registry);
    }

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    /** Counts a finished request by front end and status code. */
    public void request(String frontEnd, int status) {
        Counter.builder("appliance.requests").tag("frontend", frontEnd).tag("status", Integer.toString(status))
                .description("Requests by front end and status").register(registry).increment();
    }

    /** A prompt-length distribution helps size the context and the prefill chunk. */
    public void promptLength(int tokens) {
        DistributionSummary.builder("appliance.prompt.tokens").register(registry).record(tokens);
    }

    public void modelLoaded(String model, String version, Duration took) {
        var holder = loadMillis.computeIfAbsent(model + "\u0000" + version, k -> {
            var value = new AtomicLong();
            Gauge.builder("appliance.model.load.seconds", value, v -> v.get() / 1000.0)
                    .tag("model", model).tag("version", version)
                    .description("How long loading this model version took").register(registry);
            return value;
        });
        holder.set(took.toMillis());
    }

    public void mqttConnected(boolean connected) {
        mqttConnected.set(connected ? 1 : 0);
    }

    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void queueDepth(int depth) {
        queueDepth.set(depth);
    }

    @Override
    public void batchSize(int running) {
        batchSize.set(running);
    }

    @Override
    public void kvCacheUse(long positionsUsed, long positionsReserved) {
        kvUsed.set(positionsUsed);
        kvReserved.set(positionsReserved);
    }

    @Override
    public void firstToken(long nanosSinceSubmit) {
        timeToFirstToken.record(nanosSinceSubmit, TimeUnit.NANOSECONDS);
    }

    @Override
    public void interToken(long nanos) {
        interToken.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void tokens(int promptTokens, int completionTokens) {
        tokensIn.increment(promptTokens);
        tokensOut.increment(completionTokens);
    }
}
