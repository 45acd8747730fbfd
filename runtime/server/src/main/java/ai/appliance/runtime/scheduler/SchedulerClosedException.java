package ai.appliance.runtime.scheduler;

/** The scheduler no longer accepts work (shutting down, or its model version was replaced). */
public final class SchedulerClosedException extends RuntimeException {
    public SchedulerClosedException(String message) {
        super(message);
    }
}
