package ai.appliance.runtime.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One upstream's series: the state of its circuit breaker (a state set: 1 for the current state, 0 for the others)
 * and what became of the requests forwarded to it, with the token counts it reported. Every series exists from the
 * start at 0, so {@code rate()} and alerts see the first failure.
 */
public final class UpstreamMetrics {

    /** The circuit states, as the {@code state} label spells them. */
    public static final List<String> STATES = List.of("closed", "open", "half_open");

    /** What became of one forwarded request. */
    public enum Outcome {
        /** The upstream answered to the end. */
        OK,
        /** The upstream refused the request as invalid (a 4xx other than 401, 403, 404, 408 and 429). */
        CLIENT_ERROR,
        /** The upstream answered 429. */
        BUSY,
        /** Unreachable, TLS or credentials refused, an error status, or the stream broke off. */
        FAILED,
        /** No output within first-token-timeout, or silence past idle-timeout. */
        TIMEOUT,
        /** Not sent: the circuit was open. */
        SHORT_CIRCUITED,
        /** The client went away or the request's deadline passed. */
        CANCELLED;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Map<Outcome, Counter> requests = new EnumMap<>(Outcome.class);
    private final Counter promptTokens;
    private final Counter generatedTokens;
    private final Timer timeToFirstToken;

    UpstreamMetrics(MeterRegistry registry, String upstream, Supplier<String> state) {
        for (var name : STATES) {
            Gauge.builder("appliance.upstream.state", () -> name.equals(state.get()) ? 1 : 0)
                    .tag("upstream", upstream).tag("state", name)
                    .description("1 for the upstream's current circuit state (closed, open, half_open), 0 for the others")
                    .register(registry);
        }
        for (var outcome : Outcome.values()) {
            requests.put(outcome, Counter.builder("appliance.upstream.requests").tag("upstream", upstream)
                    .tag("outcome", outcome.label())
                    .description("Requests forwarded to the upstream (or not sent: short_circuited), by outcome")
                    .register(registry));
        }
        promptTokens = Counter.builder("appliance.upstream.prompt.tokens").tag("upstream", upstream)
                .description("Prompt tokens the upstream reported (usage) for forwarded requests").register(registry);
        generatedTokens = Counter.builder("appliance.upstream.generated.tokens").tag("upstream", upstream)
                .description("Tokens the upstream reported generating (usage) for forwarded requests").register(registry);
        timeToFirstToken = Timer.builder("appliance.upstream.time.to.first.token").tag("upstream", upstream)
                .description("From forwarding a request to the upstream's first output")
                .serviceLevelObjectives(ms(50), ms(100), ms(250), ms(500), ms(1000), ms(2500), ms(5000), ms(10000),
                        ms(30000), ms(60000))
                .register(registry);
    }

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    public void request(Outcome outcome) {
        requests.get(outcome).increment();
    }

    /** Usage the upstream reported for one request. */
    public void tokens(int prompt, int generated) {
        promptTokens.increment(prompt);
        generatedTokens.increment(generated);
    }

    public void firstToken(long nanosSinceForwarded) {
        timeToFirstToken.record(nanosSinceForwarded, TimeUnit.NANOSECONDS);
    }
}
