package ai.appliance.runtime.scheduler;

/** What the scheduler reports for metrics; every method is cheap and non-blocking. */
public interface SchedulerObserver {

    SchedulerObserver NONE = new SchedulerObserver() { };

    default void queueDepth(int depth) { }

    default void batchSize(int running) { }

    default void kvCacheUse(long positionsUsed, long positionsReserved) { }

    /** A request left the queue and started: how long it waited since it was submitted. */
    default void queueWait(long nanos) { }

    default void firstToken(long nanosSinceSubmit) { }

    default void interToken(long nanos) { }

    default void tokens(int promptTokens, int completionTokens) { }
}
