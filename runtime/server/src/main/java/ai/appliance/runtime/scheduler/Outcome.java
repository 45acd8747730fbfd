package ai.appliance.runtime.scheduler;

/**
 * How a request ended.
 *
 * @param cachedPromptTokens    prompt tokens whose KV rows came from the prefix cache instead of being computed
 * @param timeToFirstTokenNanos from submission to the first generated token, or -1 if none was generated
 */
public record Outcome(FinishReason reason, int promptTokens, int cachedPromptTokens, int completionTokens,
                      long timeToFirstTokenNanos) {
}
