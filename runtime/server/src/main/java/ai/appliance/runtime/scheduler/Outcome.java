package ai.appliance.runtime.scheduler;

/**
 * How a request ended.
 *
 * @param timeToFirstTokenNanos from submission to the first generated token, or -1 if none was generated
 */
public record Outcome(FinishReason reason, int promptTokens, int completionTokens, long timeToFirstTokenNanos) {
}
