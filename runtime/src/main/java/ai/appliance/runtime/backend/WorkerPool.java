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

    /** One dispatched task, published to the workers by a single volatile write. */
    private record Job(long epoch, RangeTask task, int count, int threads, Thread caller, AtomicInteger remaining,
                       Throwable[] failure) {
        void runSlice(int worker) {
            int from = (int) ((long) count * worker / threads);
            int to = (int) ((long) count * (worker + 1) / threads);
            if (from < to) task.run(from, to, worker);
        }
    }

    private static final int SPIN_LIMIT = 20_000;

    private final Thread[] workers;
    private volatile Job job = new Job(0, null, 0, 1, null, new AtomicInteger(), new Throwable[1]);
    private volatile boolean closed;

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
    public void forRange(int count, RangeTask task) {
        forRange(count, threads(), task);
    }

    /**
     * Runs {@code task} over [0, count) split across at most {@code maxThreads} threads (work too small
     * to repay waking a thread should ask for fewer); returns when every slice is done.
     */
    public synchronized void forRange(int count, int maxThreads, RangeTask task) {
        if (closed) throw new IllegalStateException("worker pool is closed");
        if (count <= 0) return;
        int parallel = Math.max(1, Math.min(Math.min(threads(), maxThreads), count));
        if (parallel == 1) {
            task.run(0, count, 0);
            return;
        }
        var current = new Job(job.epoch() + 1, task, count, parallel, Thread.currentThread(),
                new AtomicInteger(parallel - 1), new Throwable[1]);
        job = current;
        for (int i = 0; i < parallel - 1; i++) LockSupport.unpark(workers[i]);
        try {
            current.runSlice(0);
        } finally {
            int spins = 0;
            while (current.remaining().get() > 0) {
                if (++spins < SPIN_LIMIT) Thread.onSpinWait();
                else LockSupport.park(this);
            }
        }
        var failed = current.failure()[0];
        if (failed != null) {
            if (failed instanceof RuntimeException r) throw r;
            if (failed instanceof Error e) throw e;
            throw new IllegalStateException(failed);
        }
    }

    private void loop(int worker) {
        long seen = 0;
        while (true) {
            int spins = 0;
            Job current;
            while ((current = job).epoch() == seen && !closed) {
                if (++spins < SPIN_LIMIT) Thread.onSpinWait();
                else LockSupport.park(this);
            }
            if (closed) return;
            seen = current.epoch();
            if (worker >= current.threads()) continue; // not needed for this task
            try {
                current.runSlice(worker);
            } catch (Throwable t) {
                synchronized (current) {
                    if (current.failure()[0] == null) current.failure()[0] = t;
                }
            } finally {
                if (current.remaining().decrementAndGet() == 0) LockSupport.unpark(current.caller());
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (var w : workers) LockSupport.unpark(w);
    }
}
