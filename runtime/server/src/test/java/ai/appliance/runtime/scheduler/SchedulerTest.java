package ai.appliance.runtime.scheduler;

import static ai.appliance.runtime.generation.FinishReason.CONTEXT_LENGTH;
import static ai.appliance.runtime.generation.FinishReason.EOS;
import static ai.appliance.runtime.generation.FinishReason.MAX_TOKENS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SchedulerTest {

    private static final long NO_DEADLINE = Long.MAX_VALUE;
    private final CountingModel model = new CountingModel(512);
    private Scheduler scheduler;

    private Scheduler start(int maxBatch, long maxWaitMs, int queue, int prefillChunk) {
        scheduler = new Scheduler("test", model,
                new SchedulerSettings(maxBatch, Duration.ofMillis(maxWaitMs), queue, prefillChunk), SchedulerObserver.NONE);
        return scheduler;
    }

    @AfterEach
    void stop() {
        if (scheduler != null) {
            scheduler.shutdown(Duration.ZERO);
        }
    }

    @Test
    void requestsArrivingTogetherShareOneForwardPass() throws Exception {
        start(32, 300, 64, 256);
        var listeners = new ArrayList<RecordingListener>();
        for (int i = 0; i < 4; i++) {
            var l = new RecordingListener();
            listeners.add(l);
            scheduler.submit(new ArgmaxGeneration(new int[] {1, 2, 10 * i}, 63), 5, NO_DEADLINE, l);
        }
        for (var l : listeners) {
            var outcome = l.await();
            assertEquals(new FinishReason.Completed(MAX_TOKENS), outcome.reason());
            assertEquals(5, outcome.completionTokens());
        }
        assertEquals(4, model.calls.getFirst().sequences(), "the first step must batch all four prompts");
        assertEquals("21 22 23 24 25 ", listeners.get(2).text.toString());
        assertEquals(0, model.openSequences.get(), "every KV cache is freed");
    }

    @Test
    void queueWaitsAreReportedAndAnIdleSchedulerReportsNoSequenceRunning() throws Exception {
        var lastRunning = new java.util.concurrent.atomic.AtomicInteger(-1);
        var queueWaits = new java.util.concurrent.atomic.AtomicInteger();
        var observer = new SchedulerObserver() {
            @Override
            public void batchSize(int running) {
                lastRunning.set(running);
            }

            @Override
            public void queueWait(long nanos) {
                assertTrue(nanos >= 0);
                queueWaits.incrementAndGet();
            }
        };
        scheduler = new Scheduler("test", model, new SchedulerSettings(32, Duration.ZERO, 64, 256), observer);
        var listeners = new ArrayList<RecordingListener>();
        for (int i = 0; i < 3; i++) {
            var l = new RecordingListener();
            listeners.add(l);
            scheduler.submit(new ArgmaxGeneration(new int[] {1, 2, i}, 63), 4, NO_DEADLINE, l);
        }
        for (var l : listeners) {
            l.await();
        }
        assertEquals(3, queueWaits.get(), "one queue wait per started request");
        // The report that the batch emptied follows the last step's completions on the scheduler thread.
        for (int i = 0; i < 1000 && lastRunning.get() != 0; i++) {
            Thread.sleep(5);
        }
        assertEquals(0, lastRunning.get(), "after the last request the running gauge reads 0");
    }

    @Test
    void newRequestJoinsRunningBatchBetweenSteps() throws Exception {
        start(32, 0, 64, 256);
        model.stepMillis = 5;
        var first = new RecordingListener();
        scheduler.submit(new ArgmaxGeneration(new int[] {0}, 63), 40, NO_DEADLINE, first);
        while (model.calls.size() < 5) {
            Thread.sleep(1);
        }
        var second = new RecordingListener();
        scheduler.submit(new ArgmaxGeneration(new int[] {3, 4, 5}, 63), 3, NO_DEADLINE, second);
        second.await();
        first.await();
        boolean joined = model.calls.stream().anyMatch(
                c -> c.sequences() == 2 && c.tokensPerSequence().equals(List.of(1, 3)));
        assertTrue(joined, "the second prompt must be prefilled in the same step as the first request's decode: "
                + model.calls);
    }

    @Test
    void endOfSequenceTokenStopsWithStopReason() throws Exception {
        start(4, 0, 8, 256);
        var l = new RecordingListener();
        scheduler.submit(new ArgmaxGeneration(new int[] {60}, 63), 100, NO_DEADLINE, l);
        var outcome = l.await();
        assertEquals(new FinishReason.Completed(EOS), outcome.reason());
        assertEquals("61 62 ", l.text.toString());
        assertEquals(2, outcome.completionTokens());
        assertEquals(1, outcome.promptTokens());
        assertTrue(outcome.timeToFirstTokenNanos() > 0);
    }

    @Test
    void fullQueueRefusesWithQueueFull() {
        start(1, 0, 2, 256);
        model.stepMillis = 50;
        scheduler.submit(new ArgmaxGeneration(new int[] {0}, 63), 50, NO_DEADLINE, new RecordingListener());
        // Let the scheduler take the first one into its batch, then fill the queue.
        while (scheduler.queueDepth() > 0 || model.calls.isEmpty()) {
            Thread.onSpinWait();
        }
        scheduler.submit(new ArgmaxGeneration(new int[] {0}, 63), 5, NO_DEADLINE, new RecordingListener());
        scheduler.submit(new ArgmaxGeneration(new int[] {0}, 63), 5, NO_DEADLINE, new RecordingListener());
        assertThrows(QueueFullException.class, () -> scheduler.submit(
                new ArgmaxGeneration(new int[] {0}, 63), 5, NO_DEADLINE, new RecordingListener()));
    }

    @Test
    void cancelledRequestEndsAndFreesItsCache() throws Exception {
        start(4, 0, 8, 256);
        model.stepMillis = 5;
        var l = new RecordingListener();
        var ticket = scheduler.submit(new ArgmaxGeneration(new int[] {0}, 999), 400, NO_DEADLINE, l);
        while (model.calls.size() < 3) {
            Thread.sleep(1);
        }
        ticket.cancel();
        assertEquals(FinishReason.Aborted.CANCELLED, l.await().reason());
        assertTrue(ticket.isDone());
        assertEquals(0, model.openSequences.get());
    }

    @Test
    void deadlineEndsRequestWithTimeout() throws Exception {
        start(4, 0, 8, 256);
        model.stepMillis = 5;
        var l = new RecordingListener();
        scheduler.submit(new ArgmaxGeneration(new int[] {0}, 999), 400,
                System.nanoTime() + Duration.ofMillis(60).toNanos(), l);
        var outcome = l.await();
        assertEquals(FinishReason.Aborted.DEADLINE, outcome.reason());
        assertTrue(outcome.completionTokens() < 400);
    }

    @Test
    void promptFillingTheContextIsRefused() {
        start(4, 0, 8, 256);
        assertThrows(PromptTooLongException.class, () -> scheduler.submit(
                new ArgmaxGeneration(new int[512], 63), 5, NO_DEADLINE, new RecordingListener()));
    }

    @Test
    void generationStopsAtTheContextEdge() throws Exception {
        start(4, 0, 8, 256);
        var l = new RecordingListener();
        scheduler.submit(new ArgmaxGeneration(new int[500], 999), 100, NO_DEADLINE, l);
        var outcome = l.await();
        assertEquals(new FinishReason.Completed(CONTEXT_LENGTH), outcome.reason());
        assertEquals(13, outcome.completionTokens(), "12 free positions, plus the token sampled after the last one");
    }

    @Test
    void longPromptIsProcessedInChunks() throws Exception {
        start(4, 0, 8, 100);
        var l = new RecordingListener();
        scheduler.submit(new ArgmaxGeneration(new int[250], 999), 2, NO_DEADLINE, l);
        l.await();
        assertEquals(List.of(100), model.calls.get(0).tokensPerSequence());
        assertEquals(List.of(100), model.calls.get(1).tokensPerSequence());
        assertEquals(List.of(50), model.calls.get(2).tokensPerSequence());
        assertEquals(List.of(1), model.calls.get(3).tokensPerSequence());
    }

    @Test
    void requestsAreServedInArrivalOrderWhenSlotsAreScarce() throws Exception {
        start(1, 0, 16, 256);
        var finished = new CopyOnWriteArrayList<Integer>();
        var listeners = new ArrayList<RecordingListener>();
        for (int i = 0; i < 6; i++) {
            int id = i;
            var l = new RecordingListener() {
                @Override
                public void onFinished(Outcome result) {
                    finished.add(id);
                    super.onFinished(result);
                }
            };
            listeners.add(l);
            scheduler.submit(new ArgmaxGeneration(new int[] {0}, 999), 3, NO_DEADLINE, l);
        }
        for (var l : listeners) {
            l.await();
        }
        assertEquals(List.of(0, 1, 2, 3, 4, 5), finished);
        assertEquals(1, model.maxBatchSeen());
    }

    @Test
    void aRequestWhoseCacheDoesNotFitYetWaitsAndLaterOnesDoNotOvertakeIt() throws Exception {
        var budget = new KvBudget(1000);
        model.bytesPerPosition = 10;
        scheduler = new Scheduler("test", model, new SchedulerSettings(8, Duration.ZERO, 16, 256), SchedulerObserver.NONE,
                budget, PrefixCache.disabled());
        model.stepMillis = 2;
        var a = new RecordingListener();
        var b = new RecordingListener();
        var c = new RecordingListener();
        scheduler.submit(new ArgmaxGeneration(new int[] {0}, 999), 59, NO_DEADLINE, a); // 60 positions: 600 bytes
        while (model.calls.isEmpty()) {
            Thread.sleep(1);
        }
        scheduler.submit(new ArgmaxGeneration(new int[] {0}, 999), 59, NO_DEADLINE, b); // does not fit beside a
        scheduler.submit(new ArgmaxGeneration(new int[] {0}, 999), 9, NO_DEADLINE, c); // would fit, but b is first
        assertEquals(59, a.await().completionTokens());
        assertEquals(59, b.await().completionTokens());
        assertEquals(9, c.await().completionTokens());
        for (int i = 0; i < 59; i++) {
            assertEquals(1, model.calls.get(i).sequences(), "step " + i + " ran only a; b waited, and c behind it");
        }
        assertEquals(2, model.maxBatchSeen(), "b and c then ran together");
        assertEquals(0, budget.reserved(), "every reservation is returned");
        assertEquals(0, model.openSequences.get());
    }

    @Test
    void aRequestLargerThanTheWholeBudgetIsRefusedWhenSubmitted() {
        model.bytesPerPosition = 10;
        scheduler = new Scheduler("test", model, new SchedulerSettings(8, Duration.ZERO, 16, 256), SchedulerObserver.NONE,
                new KvBudget(1000), PrefixCache.disabled());
        var e = assertThrows(KvCacheTooLargeException.class,
                () -> scheduler.submit(new ArgmaxGeneration(new int[] {0}, 999), 200, NO_DEADLINE, new RecordingListener()));
        assertTrue(e.getMessage().contains("201 positions") && e.getMessage().endsWith("lower max_tokens"), e.getMessage());
    }

    @Test
    void modelFailureFailsTheBatchButNotTheScheduler() throws Exception {
        start(4, 0, 8, 256);
        model.failNext = new IllegalStateException("simulated kernel fault");
        var broken = new RecordingListener();
        scheduler.submit(new ArgmaxGeneration(new int[] {0}, 999), 3, NO_DEADLINE, broken);
        var error = assertThrows(ExecutionException.class, broken::await);
        assertTrue(error.getCause().getMessage().contains("simulated kernel fault"));
        var next = new RecordingListener();
        scheduler.submit(new ArgmaxGeneration(new int[] {0}, 999), 3, NO_DEADLINE, next);
        assertEquals(3, next.await().completionTokens());
        assertEquals(0, model.openSequences.get());
    }

    @Test
    void shutdownFinishesInFlightWorkAndRefusesNewWork() throws Exception {
        start(4, 0, 8, 256);
        model.stepMillis = 2;
        var l = new RecordingListener();
        scheduler.submit(new ArgmaxGeneration(new int[] {0}, 999), 20, NO_DEADLINE, l);
        assertTrue(scheduler.shutdown(Duration.ofSeconds(5)));
        assertEquals(new FinishReason.Completed(MAX_TOKENS), l.await().reason());
        assertEquals(20, l.await().completionTokens());
        assertThrows(SchedulerClosedException.class, () -> scheduler.submit(
                new ArgmaxGeneration(new int[] {0}, 999), 3, NO_DEADLINE, new RecordingListener()));
    }

    @Test
    void shutdownGraceEndsWhatIsStillRunning() throws Exception {
        start(4, 0, 8, 256);
        model.stepMillis = 5;
        var l = new RecordingListener();
        scheduler.submit(new ArgmaxGeneration(new int[] {0}, 999), 400, NO_DEADLINE, l);
        while (model.calls.isEmpty()) {
            Thread.sleep(1);
        }
        assertTrue(scheduler.shutdown(Duration.ofMillis(30)));
        assertEquals(FinishReason.Aborted.SHUTDOWN, l.await().reason());
    }
}
