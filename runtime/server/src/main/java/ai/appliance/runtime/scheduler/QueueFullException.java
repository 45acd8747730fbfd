package ai.appliance.runtime.scheduler;

/** The waiting queue is full; the client should retry later. */
public final class QueueFullException extends RuntimeException {
    public QueueFullException(int capacity) {
        super("the server is busy: " + capacity + " requests are already waiting; retry shortly");
    }
}
