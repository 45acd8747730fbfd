package ai.appliance.runtime.scheduler;

import static ai.appliance.runtime.generation.FinishReason.CONTEXT_LENGTH;
import static ai.appliance.runtime.generation.FinishReason.MAX_TOKENS;

import ai.appliance.runtime.engine.ContextOverflowException;
import ai.appliance.runtime.engine.LanguageModel;
import ai.appliance.runtime.engine.Sequence;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Continuous batching over one {@link LanguageModel}: every step advances all running sequences in one
 * {@code forward} call (decoders append one token, new requests a chunk of their prompt); waiting requests
 * join between steps in arrival order, up to {@code maxBatch}. One platform thread owns the model, so the
 * engine never sees concurrent calls.
 */
public final class Scheduler implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Scheduler.class.getName());

    private final LanguageModel model;
    private final SchedulerSettings settings;
    private final KvBudget kvBudget;
    private final VersionPrefixCache prefixes;
    /** The oldest admitted request, waiting for KV cache memory; no later request starts before it. */
    private Job deferred;
    private final SchedulerObserver observer;
    private final BlockingQueue<Job> waiting;
    private final List<Job> running = new ArrayList<>();
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean accepting = true;
    private volatile long hardStopAtNanos = Long.MAX_VALUE;

    public Scheduler(String name, LanguageModel model, SchedulerSettings settings, SchedulerObserver observer) {
        this(name, model, settings, observer, KvBudget.of(0), PrefixCache.disabled());
    }

    /**
     * @param kvBudget    shared with the appliance's other schedulers: their KV caches count against it too
     * @param prefixCache shared likewise; this scheduler reads and writes only its own scope of it
     */
    public Scheduler(String name, LanguageModel model, SchedulerSettings settings, SchedulerObserver observer,
                     KvBudget kvBudget, PrefixCache prefixCache) {
        this.model = model;
        this.settings = settings;
        this.kvBudget = kvBudget;
        this.prefixes = prefixCache.newVersionScope();
        this.observer = observer;
        this.waiting = new ArrayBlockingQueue<>(settings.queueCapacity());
        this.thread = Thread.ofPlatform().name("scheduler-" + name).daemon(true).unstarted(this::loop);
        thread.start();
    }

    public LanguageModel model() {
        return model;
    }

    /**
     * Queues a request.
     *
     * @param maxNewTokens   tokens the request may generate at most (sizes its KV cache)
     * @param deadlineNanos  {@link System#nanoTime()} after which it is ended with {@link FinishReason.Aborted#DEADLINE}
     * @throws QueueFullException       when {@code queueCapacity} requests already wait
     * @throws SchedulerClosedException when shutting down
     * @throws PromptTooLongException   when the prompt leaves no room in the context
     */
    public Ticket submit(Generation generation, int maxNewTokens, long deadlineNanos, GenerationListener listener) {
        if (!accepting) {
            throw new SchedulerClosedException("the server is shutting down and accepts no new requests");
        }
        var prompt = generation.promptTokens();
        int context = model.config().contextLength();
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt is empty after tokenization");
        }
        if (prompt.length >= context) {
            throw new PromptTooLongException(prompt.length, context);
        }
        int newTokens = Math.max(1, maxNewTokens);
        int positions = Math.min(context, prompt.length + newTokens);
        long cacheBytes = model.sequenceBytes(positions);
        if (cacheBytes > kvBudget.limit()) {
            throw new KvCacheTooLargeException(positions, cacheBytes, kvBudget.limit());
        }
        var job = new Job(generation, newTokens, positions, cacheBytes, deadlineNanos, listener);
        if (!waiting.offer(job)) {
            throw new QueueFullException(settings.queueCapacity());
        }
        observer.queueDepth(waiting.size());
        return job;
    }

    public int queueDepth() {
        return waiting.size();
    }

    /**
     * Throws what {@link #submit} would throw for a full queue, so callers can refuse before rendering the prompt.
     *
     * @throws QueueFullException when {@code queueCapacity} requests already wait
     */
    public void requireQueueRoom() {
        if (waiting.remainingCapacity() == 0) {
            throw new QueueFullException(settings.queueCapacity());
        }
    }

    /** Requests that hold a batch slot now (observed by the scheduler thread at its last step). */
    public int runningCount() {
        return runningSnapshot;
    }

    private volatile int runningSnapshot;

    /**
     * Stops accepting, lets queued and running requests finish until {@code grace} has passed, then ends
     * the rest with {@link FinishReason.Aborted#SHUTDOWN}. Returns when the scheduler thread has stopped.
     */
    public boolean shutdown(Duration grace) {
        accepting = false;
        hardStopAtNanos = System.nanoTime() + grace.toNanos();
        // No interrupt: the engine may run its own parallel work on this thread; an idle poll wakes within 50 ms.
        try {
            return stopped.await(grace.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Shuts down with no grace and frees the model. */
    @Override
    public void close() {
        shutdown(Duration.ZERO);
        model.close();
    }

    private void loop() {
        try {
            while (true) {
                if (!accepting && System.nanoTime() >= hardStopAtNanos) {
                    endAll(FinishReason.Aborted.SHUTDOWN);
                    return;
                }
                if (!admit()) {
                    return;
                }
                endCancelledAndExpired();
                if (running.isEmpty()) {
                    continue;
                }
                step();
            }
        } catch (Throwable t) {
            LOG.log(Level.SEVERE, "scheduler stopped after an unexpected error", t);
            failAll(new IllegalStateException("the inference scheduler failed: " + t.getMessage()));
        } finally {
            runningSnapshot = 0;
            prefixes.close(); // the version is going away: its cached rows are of no use to any other
            stopped.countDown();
        }
    }

    /** Moves waiting requests into free batch slots; returns false when there is nothing left to do ever. */
    private boolean admit() {
        if (deferred != null) {
            var job = deferred;
            deferred = null;
            if (!start(job)) {
                deferred = job;
                if (running.isEmpty()) {
                    // Only other model versions' caches are in the way (the budget is shared): check again soon.
                    pause(Duration.ofMillis(20));
                }
                observer.queueDepth(waiting.size() + 1);
                return true;
            }
        }
        if (running.isEmpty()) {
            Job first;
            try {
                first = waiting.poll(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                first = waiting.poll();
            }
            if (first == null) {
                return accepting || !waiting.isEmpty();
            }
            if (!start(first)) {
                deferred = first;
                return true;
            }
            // An idle server waits briefly so a burst shares its first step instead of queueing behind it.
            long until = System.nanoTime() + settings.maxWait().toNanos();
            while (deferred == null && running.size() < settings.maxBatch() && accepting) {
                long left = until - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                Job next;
                try {
                    next = waiting.poll(left, TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    break;
                }
                if (next == null) {
                    break;
                }
                if (!start(next)) {
                    deferred = next;
                }
            }
        }
        while (deferred == null && running.size() < settings.maxBatch()) {
            var next = waiting.poll();
            if (next == null) {
                break;
            }
            if (!start(next)) {
                deferred = next;
            }
        }
        observer.queueDepth(waiting.size() + (deferred == null ? 0 : 1));
        return true;
    }

    /**
     * Starts {@code job}, or returns false and leaves it untouched when its KV cache does not fit the budget
     * beside the running requests' (it then waits at the head of the line: later requests do not overtake it).
     */
    private boolean start(Job job) {
        if (job.cancelled || System.nanoTime() >= job.deadlineNanos) {
            job.finish(job.cancelled ? FinishReason.Aborted.CANCELLED : FinishReason.Aborted.DEADLINE, observer);
            return true;
        }
        if (!kvBudget.tryReserve(job.cacheBytes)) {
            return false;
        }
        job.kvBudget = kvBudget; // released when the job ends
        try {
            job.sequence = model.newSequence(job.positions);
        } catch (RuntimeException e) {
            job.fail(e);
            return true;
        }
        reuseCachedPrefix(job);
        running.add(job);
        observer.queueWait(System.nanoTime() - job.submittedNanos);
        return true;
    }

    /** Copies the longest cached prefix of the job's prompt into its new sequence; only the rest is then run. */
    private void reuseCachedPrefix(Job job) {
        if (!prefixes.enabled() || !job.sequence.copiesRows()) {
            return;
        }
        try {
            job.chain = prefixes.chain(job.prompt);
            for (var rows : prefixes.lookup(job.chain, job.prompt.length)) {
                job.sequence.appendRows(rows);
            }
        } catch (RuntimeException e) {
            // Never worth failing a request over: run its whole prompt instead.
            LOG.log(Level.WARNING, "prefix cache rows could not be used; running the whole prompt", e);
            job.sequence.truncate(0);
            job.chain = null;
        }
        job.promptFed = job.sequence.length();
        job.cachedPromptTokens = job.promptFed;
    }

    /** Keeps the job's full prompt blocks for later requests; the request itself goes on whatever happens. */
    private void storePrefix(Job job) {
        try {
            prefixes.store(job.chain, job.sequence);
        } catch (RuntimeException | OutOfMemoryError e) {
            LOG.log(Level.WARNING, "prompt blocks could not be added to the prefix cache", e);
        }
        job.chain = null;
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void endCancelledAndExpired() {
        long now = System.nanoTime();
        for (Iterator<Job> it = running.iterator(); it.hasNext(); ) {
            var job = it.next();
            if (job.cancelled) {
                it.remove();
                job.finish(FinishReason.Aborted.CANCELLED, observer);
            } else if (now >= job.deadlineNanos) {
                it.remove();
                job.finish(FinishReason.Aborted.DEADLINE, observer);
            }
        }
        if (runningSnapshot != running.size()) {
            observer.batchSize(running.size());
        }
        runningSnapshot = running.size();
    }

    private void step() {
        var sequences = new ArrayList<Sequence>(running.size());
        var tokens = new ArrayList<int[]>(running.size());
        for (var job : running) {
            sequences.add(job.sequence);
            tokens.add(job.nextInput(settings.prefillChunk()));
        }
        observer.batchSize(running.size());
        float[][] logits;
        try {
            logits = model.forward(sequences, tokens);
        } catch (ContextOverflowException e) {
            // Capacities are sized from max tokens, so this only happens at the context limit: end those.
            endOverflowing(tokens);
            return;
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "model forward pass failed; failing the " + running.size() + " requests in it", e);
            var failure = new IllegalStateException("the model failed during generation: " + e.getMessage());
            for (var job : running) {
                job.fail(failure);
            }
            running.clear();
            return;
        }
        long now = System.nanoTime();
        long used = 0;
        long reserved = 0;
        for (int i = 0; i < running.size(); i++) {
            var job = running.get(i);
            boolean wasPrefilling = job.prefilling();
            job.consumed(tokens.get(i).length);
            if (job.prefilling()) {
                continue;
            }
            if (wasPrefilling && job.chain != null) {
                storePrefix(job);
            }
            var step = job.generation.next(logits[i]);
            job.emit(step, now, observer);
            if (step.finish() != null) {
                continue;
            }
            if (job.generated >= job.maxNewTokens) {
                job.finish(new FinishReason.Completed(MAX_TOKENS), observer);
            } else if (job.sequence.length() + 1 > job.sequence.capacity()) {
                job.finish(new FinishReason.Completed(CONTEXT_LENGTH), observer);
            } else {
                job.pending = new int[] {step.token()};
            }
        }
        running.removeIf(job -> job.done);
        for (var job : running) {
            used += job.sequence.length();
            reserved += job.sequence.capacity();
        }
        observer.kvCacheUse(used, reserved);
        // Finished sequences leave now: an idle scheduler must not keep reporting its last batch as running.
        observer.batchSize(running.size());
        runningSnapshot = running.size();
    }

    private void endOverflowing(List<int[]> tokens) {
        for (int i = 0; i < running.size(); i++) {
            var job = running.get(i);
            if (job.sequence.length() + tokens.get(i).length > job.sequence.capacity()) {
                job.finish(new FinishReason.Completed(CONTEXT_LENGTH), observer);
            }
        }
        running.removeIf(job -> job.done);
    }

    private void endAll(FinishReason reason) {
        for (var job : running) {
            job.finish(reason, observer);
        }
        running.clear();
        if (deferred != null) {
            deferred.finish(reason, observer);
            deferred = null;
        }
        Job job;
        while ((job = waiting.poll()) != null) {
            job.finish(reason, observer);
        }
    }

    private void failAll(RuntimeException error) {
        for (var job : running) {
            job.fail(error);
        }
        running.clear();
        if (deferred != null) {
            deferred.fail(error);
            deferred = null;
        }
        Job job;
        while ((job = waiting.poll()) != null) {
            job.fail(error);
        }
    }

    /** One request inside the scheduler; touched only by the scheduler thread except {@link #cancel()}. */
    private static final class Job implements Ticket {
        final Generation generation;
        final int[] prompt;
        final int maxNewTokens;
        final long deadlineNanos;
        final GenerationListener listener;
        /** KV cache positions (prompt + max new tokens, at most the context) and the heap they take. */
        final int positions;
        final long cacheBytes;
        final long submittedNanos = System.nanoTime();
        volatile boolean cancelled;
        volatile boolean done;
        Sequence sequence;
        /** The budget {@link #cacheBytes} are reserved from while the sequence exists; null before and after. */
        KvBudget kvBudget;
        /** The prompt's block digests while the prefix cache is in use for it; null otherwise. */
        PrefixChain chain;
        int cachedPromptTokens;
        int promptFed;
        int[] pending;
        int generated;
        long firstTokenNanos = -1;
        long lastTokenNanos;

        Job(Generation generation, int maxNewTokens, int positions, long cacheBytes, long deadlineNanos,
            GenerationListener listener) {
            this.generation = generation;
            this.prompt = generation.promptTokens();
            this.maxNewTokens = maxNewTokens;
            this.positions = positions;
            this.cacheBytes = cacheBytes;
            this.deadlineNanos = deadlineNanos;
            this.listener = listener;
        }

        int[] nextInput(int chunk) {
            if (promptFed < prompt.length) {
                return Arrays.copyOfRange(prompt, promptFed, Math.min(prompt.length, promptFed + chunk));
            }
            return pending;
        }

        void consumed(int count) {
            if (promptFed < prompt.length) {
                promptFed += count;
            }
        }

        boolean prefilling() {
            return promptFed < prompt.length;
        }

        void emit(Generation.Step step, long now, SchedulerObserver observer) {
            var finish = step.finish();
            // A limit ends the request after its token; a stop token or a stop string's last token is not answer.
            if (finish == null || finish instanceof FinishReason.Completed(var reason) && reason.byLimit()) {
                generated++;
            }
            if (firstTokenNanos < 0) {
                firstTokenNanos = now;
                observer.firstToken(now - submittedNanos);
            } else {
                observer.interToken(now - lastTokenNanos);
            }
            lastTokenNanos = now;
            if (step.hasText() || step.logprob() != null) {
                listener.onDelta(step.content(), step.reasoning(), step.toolCalls(),
                        step.logprob() == null ? List.of() : List.of(step.logprob()));
            }
            if (finish != null) {
                complete(finish, observer);
            }
        }

        void finish(FinishReason reason, SchedulerObserver observer) {
            if (done) {
                return;
            }
            Generation.Step last;
            try {
                last = generation.finish(reason);
            } catch (RuntimeException e) {
                last = new Generation.Step(-1, "", "", reason);
            }
            if (last != null && last.hasText()) {
                listener.onDelta(last.content(), last.reasoning(), last.toolCalls(), List.of());
            }
            complete(reason, observer);
        }

        private void complete(FinishReason reason, SchedulerObserver observer) {
            done = true;
            closeSequence();
            observer.tokens(prompt.length, generated);
            long ttft = firstTokenNanos < 0 ? -1 : firstTokenNanos - submittedNanos;
            listener.onFinished(new Outcome(reason, prompt.length, cachedPromptTokens, generated, ttft));
        }

        void fail(RuntimeException error) {
            if (done) {
                return;
            }
            done = true;
            closeSequence();
            listener.onFailed(error);
        }

        private void closeSequence() {
            if (sequence != null) {
                sequence.close();
                sequence = null;
            }
            if (kvBudget != null) {
                kvBudget.release(cacheBytes);
                kvBudget = null;
            }
        }

        @Override
        public void cancel() {
            cancelled = true;
        }

        @Override
        public boolean isDone() {
            return done;
        }
    }
}
