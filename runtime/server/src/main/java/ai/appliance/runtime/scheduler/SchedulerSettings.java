package ai.appliance.runtime.scheduler;

import java.time.Duration;

/**
 * Admission limits of the continuous-batching scheduler.
 *
 * @param maxBatch      sequences advanced together in one step
 * @param maxWait       how long an idle scheduler waits for more requests to join the first step
 * @param queueCapacity requests waiting for a batch slot; beyond that submissions are refused
 * @param prefillChunk  prompt tokens processed per step for one sequence, so long prompts do not stall decoders
 */
public record SchedulerSettings(int maxBatch, Duration maxWait, int queueCapacity, int prefillChunk) {

    public static final SchedulerSettings DEFAULT = new SchedulerSettings(32, Duration.ofMillis(50), 256, 256);

    public SchedulerSettings {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("scheduler max-batch must be at least 1, was " + maxBatch);
        }
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("scheduler max-wait must not be negative, was " + maxWait);
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("scheduler queue-capacity must be at least 1, was " + queueCapacity);
        }
        if (prefillChunk < 1) {
            throw new IllegalArgumentException("scheduler prefill-chunk must be at least 1, was " + prefillChunk);
        }
    }
}
