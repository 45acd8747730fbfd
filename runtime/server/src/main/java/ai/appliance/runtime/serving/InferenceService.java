package ai.appliance.runtime.serving;

import ai.appliance.runtime.api.ApiException;
import ai.appliance.runtime.api.ErrorKind;
import ai.appliance.runtime.scheduler.KvCacheTooLargeException;
import ai.appliance.runtime.scheduler.PromptTooLongException;
import ai.appliance.runtime.scheduler.QueueFullException;
import ai.appliance.runtime.scheduler.SchedulerClosedException;
import java.time.Duration;
import java.util.UUID;

/** The one entry point every front end uses to run a request: route, render, queue. */
public final class InferenceService {

    private final ModelCatalog catalog;
    private final Duration requestTimeout;

    /** @param requestTimeout per-request deadline, from submission to the last token */
    public InferenceService(ModelCatalog catalog, Duration requestTimeout) {
        this.catalog = catalog;
        this.requestTimeout = requestTimeout;
    }

    public ModelCatalog catalog() {
        return catalog;
    }

    /**
     * Queues {@code request} and returns its output stream at once.
     *
     * @throws ApiException when it cannot be queued (unknown model, bad request, queue full, shutting down)
     */
    public ResponseStream submit(InferenceRequest request) {
        // A version being retired refuses new work; the route then already points at its successor.
        for (int attempt = 0; ; attempt++) {
            var served = catalog.route(request.model());
            var prefix = request.kind() == InferenceRequest.Kind.CHAT ? "chatcmpl-" : "cmpl-";
            var stream = new ResponseStream(prefix + UUID.randomUUID().toString().replace("-", ""), served);
            try {
                // Refuse before rendering and tokenizing: under a burst that work is what delays the refusals.
                served.scheduler().requireQueueRoom();
                var generation = served.model().start(request);
                var deadline = System.nanoTime() + requestTimeout.toNanos();
                stream.attach(served.scheduler().submit(generation, request.maxTokens(), deadline, stream));
                return stream;
            } catch (QueueFullException e) {
                throw new ApiException(ErrorKind.QUEUE_FULL, e.getMessage(), null, 1);
            } catch (PromptTooLongException e) {
                throw new ApiException(ErrorKind.CONTEXT_LENGTH_EXCEEDED, e.getMessage(), "messages", 0);
            } catch (KvCacheTooLargeException e) {
                throw ApiException.invalid("max_tokens", e.getMessage());
            } catch (SchedulerClosedException e) {
                if (attempt >= 2 || catalog.route(request.model()) == served) {
                    throw new ApiException(ErrorKind.UNAVAILABLE, e.getMessage(), null, 5);
                }
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid(null, e.getMessage());
            }
        }
    }
}
