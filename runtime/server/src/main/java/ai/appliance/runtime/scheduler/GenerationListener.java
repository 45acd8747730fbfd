package ai.appliance.runtime.scheduler;

import java.util.List;

/**
 * Receives one request's output. Called on the scheduler thread, so implementations hand the data off
 * (a queue) and never block.
 */
public interface GenerationListener {

    /**
     * Text that became final, pieces of tool calls, and the log probabilities of the tokens generated since the last
     * call (empty unless the request asked for them; a step may carry a token whose text is still held back).
     */
    void onDelta(String content, String reasoning, List<ToolCallDelta> toolCalls, List<TextLogprob> logprobs);

    void onFinished(Outcome outcome);

    void onFailed(RuntimeException error);
}
