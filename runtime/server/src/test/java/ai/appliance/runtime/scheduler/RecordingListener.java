package ai.appliance.runtime.scheduler;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Collects one request's text and outcome for assertions. */
class RecordingListener implements GenerationListener {

    final StringBuffer text = new StringBuffer();
    final CompletableFuture<Outcome> outcome = new CompletableFuture<>();

    @Override
    public void onDelta(String content, String reasoning, java.util.List<ToolCallDelta> toolCalls,
                        java.util.List<TextLogprob> logprobs) {
        text.append(content);
    }

    @Override
    public void onFinished(Outcome result) {
        outcome.complete(result);
    }

    @Override
    public void onFailed(RuntimeException error) {
        outcome.completeExceptionally(error);
    }

    Outcome await() throws Exception {
        return outcome.get(10, TimeUnit.SECONDS);
    }
}
