package ai.appliance.runtime.scheduler;

/**
 * Receives one request's output. Called on the scheduler thread, so implementations hand the data off
 * (a queue) and never block.
 */
public interface GenerationListener {

    void onDelta(String content, String reasoning);

    void onFinished(Outcome outcome);

    void onFailed(RuntimeException error);
}
