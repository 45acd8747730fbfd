package ai.appliance.runtime.upstream;

import ai.appliance.runtime.metrics.ServingMetrics;
import ai.appliance.runtime.metrics.UpstreamMetrics;
import ai.appliance.runtime.scheduler.GenerationListener;
import ai.appliance.runtime.scheduler.Ticket;
import ai.appliance.runtime.serving.InferenceRequest;
import ai.appliance.runtime.serving.ModelInfo;
import ai.appliance.runtime.serving.RemoteModel;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A model entry answered by an upstream server: its connection (TLS, key), circuit breaker and metrics, and the
 * {@link RemoteModel} the serving path forwards through. One per {@code models[]} entry with an {@code upstream}.
 */
public final class UpstreamModel implements RemoteModel, AutoCloseable {

    private final UpstreamSettings settings;
    private final UpstreamConnection connection;
    private final UpstreamBreaker breaker;
    private final UpstreamFaults faults;
    private final UpstreamMetrics metrics;
    private final ObjectMapper json;
    private final long startedAt = Instant.now().getEpochSecond();
    /** Forwarded requests not yet ended; guarded by {@code this}. */
    private int inFlight;

    private UpstreamModel(UpstreamSettings settings, UpstreamConnection connection, ServingMetrics metrics,
                          ObjectMapper json) {
        this.settings = settings;
        this.connection = connection;
        this.json = json;
        this.faults = new UpstreamFaults(settings, json);
        this.breaker = new UpstreamBreaker(settings.name(), settings.breakerFailures(), settings.breakerOpenFor(),
                this::probe);
        this.metrics = metrics.upstream(settings.name(), breaker::state);
    }

    /**
     * Sets up the connection (reads the key and TLS files) and the breaker; sends nothing yet.
     *
     * @param environment where {@code api-key-env} is looked up ({@code System::getenv})
     * @throws IllegalArgumentException with one line naming the setting when the key or TLS files cannot be used
     */
    public static UpstreamModel open(UpstreamSettings settings, ServingMetrics metrics,
                                     Function<String, String> environment) {
        return new UpstreamModel(settings, UpstreamConnection.open(settings, environment), metrics, new ObjectMapper());
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public String fallback() {
        return settings.fallback();
    }

    @Override
    public ModelInfo info() {
        return new ModelInfo(settings.name(), settings.model(), false, 1.0, startedAt, true);
    }

    @Override
    public Ticket forward(InferenceRequest request, String requestId, long deadlineNanos, GenerationListener listener) {
        var exchange = new UpstreamExchange(this, request, requestId, deadlineNanos, listener);
        synchronized (this) {
            inFlight++;
        }
        exchange.start();
        return exchange;
    }

    /** Called once by each exchange when it has ended. */
    synchronized void ended() {
        inFlight--;
        notifyAll();
    }

    @Override
    public synchronized boolean drain(Duration grace) throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        while (inFlight > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    /** The circuit's state: closed, open or half_open. */
    public String state() {
        return breaker.state();
    }

    /** The half-open probe: the upstream lists its models with this appliance's key. */
    private boolean probe() {
        var request = connection.authorized(HttpRequest.newBuilder(settings.endpoint("models")), Map.of())
                .timeout(settings.firstTokenTimeout()).GET().build();
        try {
            return connection.client().send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    UpstreamSettings settings() {
        return settings;
    }

    UpstreamConnection connection() {
        return connection;
    }

    UpstreamBreaker breaker() {
        return breaker;
    }

    UpstreamFaults faults() {
        return faults;
    }

    UpstreamMetrics metrics() {
        return metrics;
    }

    ObjectMapper json() {
        return json;
    }

    @Override
    public void close() {
        breaker.close();
        connection.close();
    }
}
