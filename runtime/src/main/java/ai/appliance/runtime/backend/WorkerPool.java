package ai.appliance.runtime.backend;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of compute threads that split a range of work items (matrix rows, attention heads)
 * into contiguous slices, one per thread; the calling thread takes the first slice. Threads spin
 * briefly between tasks (a decode step issues hundreds of small tasks) and then park.
 */
public final class WorkerPool implements AutoCloseable {

    /** Work on items [from, to) by worker number {@code worker} (0 is the calling thread). */
    @FunctionalInterface
    public interface RangeTask {
        void run(int from, int to, int worker);
    }

    private static final int SPIN_LIMIT = 20_000;

    private final Thread[] workers;
    private final AtomicInteger remaining = new AtomicInteger();
    private volatile long epoch;
    private volatile boolean closed;
    private volatile RangeTask task;
    private volatile int count;
    private volatile Thread caller;
    private volatile Throwable failure;

    public WorkerPool(int threads) {
        if (threads < 1) throw new IllegalArgumentException("a worker pool needs at least 1 thread, got " + threads);
        workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            int worker = i + 1;
            workers[i] = Thread.ofPlatform().daemon().name("appliance-compute-" + worker).unstarted(() -> loop(worker));
            workers[i].start();
        }
    }

    /** Physical cores (hyper-threads share one core's vector units, so they add little), at least 1. */
    public static int physicalCores() {
        int logical = Runtime.getRuntime().availableProcessors();
        try {
            var cores = new HashSet<String>();
            for (int cpu = 0; cpu < 4096; cpu++) {
                var siblings = Path.of("/sys/devices/system/cpu/cpu" + cpu + "/topology/thread_siblings_list");
                if (!Files.exists(siblings)) break;
                cores.add(Files.readString(siblings).trim());
            }
            return cores.isEmpty() ? logical : Math.max(1, Math.min(logical, cores.size()));
        } catch (Exception e) {
            return logical;
        }
    }

    public int threads() {
        return workers.length + 1;
    }

    /** Runs {@code task} over [0, count) split across all threads; returns when every slice is done. */
    public synchronized void forRange(int count, RangeTask task) {
        if (closed) throw new IllegalStateException("worker pool is closed");
        if (count <= 0) return;
        int parallel = Math.min(threads(), count);
        if (parallel == 1) {
            task.run(0, count, 0);
            return;
        }
        this.task = task;
        this.count = count;
        this.caller = Thread.currentThread();
        this.failure = null;
        remaining.set(workers.length);
        epoch++;
        for (var w : workers) LockSupport.unpark(w);
        try {
            runSlice(0);
        } finally {
            awaitWorkers();
        }
        this.task = null;
        var failed = failure;
        if (failed != null) {
            if (failed instanceof RuntimeException r) throw r;
            if (failed instanceof Error e) throw e;
            throw new IllegalStateException(failed);
        }
    }

    private void runSlice(int worker) {
        int n = count;
        int threads = threads();
        int from = (int) ((long) n * worker / threads);
        int to = (int) ((long) n * (worker + 1) / threads);
        if (from < to) task.run(from, to, worker);
    }

    private void awaitWorkers() {
        int spins = 0;
        while (remaining.get() > 0) {
            if (++spins < SPIN_LIMIT) Thread.onSpinWait();
            else LockSupport.park(this);
        }
    }

    private void loop(int worker) {
        long seen = 0;
        while (true) {
            int spins = 0;
            while (epoch == seen && !closed) {
                if (++spins < SPIN_LIMIT) Thread.onSpinWait();
                else LockSupport.park(this);
            }
            if (closed) return;
            seen = epoch;
            try {
                runSlice(worker);
            } catch (Throwable t) {
                failure = t;
            } finally {
                if (remaining.decrementAndGet() == 0) LockSupport.unpark(caller);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (var w : workers) LockSupport.unpark(w);
    }
}
