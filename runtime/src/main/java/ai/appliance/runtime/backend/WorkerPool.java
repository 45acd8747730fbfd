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

    /**
     * One dispatched task, published to the workers by a single volatile write. Its range is cut
     * into more chunks than threads and every thread, the caller included, claims chunks until none
     * are left: a worker the OS has not scheduled yet just finds nothing to do, so a busy machine
     * slows a task down to the caller's own speed instead of stalling it.
     */
    private record Job(long epoch, RangeTask task, int count, int chunk, int chunks, int threads, Thread caller,
                       AtomicInteger next, AtomicInteger done, Throwable[] failure) {
        void work(int worker) {
            int c;
            while ((c = next.getAndIncrement()) < chunks) {
                int from = c * chunk;
                int to = Math.min(count, from + chunk);
                try {
                    task.run(from, to, worker);
                } catch (Throwable t) {
                    synchronized (this) {
                        if (failure[0] == null) failure[0] = t;
                    }
                } finally {
                    if (done.incrementAndGet() == chunks && Thread.currentThread() != caller) LockSupport.unpark(caller);
                }
            }
        }
    }

    /** Chunks per thread: enough to even out uneven progress, few enough to keep claiming cheap. */
    private static final int CHUNKS_PER_THREAD = 8;
    /** Busy-wait rounds (~0.1 ms) before parking: a decode step dispatches a task every few tens of microseconds. */
    private static final int SPIN_LIMIT = 2_000;

    private final Thread[] workers;
    private volatile Job job = new Job(0, null, 0, 1, 0, 1, null, new AtomicInteger(), new AtomicInteger(), new Throwable[1]);
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
        int chunks = Math.min(count, parallel * CHUNKS_PER_THREAD);
        int chunk = (count + chunks - 1) / chunks;
        chunks = (count + chunk - 1) / chunk;
        var current = new Job(job.epoch() + 1, task, count, chunk, chunks, parallel, Thread.currentThread(),
                new AtomicInteger(), new AtomicInteger(), new Throwable[1]);
        job = current;
        for (int i = 0; i < parallel - 1; i++) LockSupport.unpark(workers[i]);
        current.work(0);
        int spins = 0;
        while (current.done().get() < current.chunks()) {
            if (++spins < SPIN_LIMIT) Thread.onSpinWait();
            else LockSupport.park(this);
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
            if (worker < current.threads()) current.work(worker);
        }
    }

    @Override
    public void close() {
        closed = true;
        for (var w : workers) LockSupport.unpark(w);
    }
}
