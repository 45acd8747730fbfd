package ai.appliance.runtime.backend;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of compute threads that split a range of work items (matrix rows, attention heads)
 * into contiguous chunks, a few per thread, which every thread (the caller too) claims in order.
 * Chunks rather than one slice per thread keep a step from waiting on a thread the OS has
 * descheduled (a busy machine): the others take its share, and the caller waits only for chunks
 * already claimed. Threads spin briefly between tasks (a decode step issues hundreds of small
 * tasks) and then park. Nothing is allocated per task.
 *
 * <p>Claiming: one atomic word holds the task's epoch (high 32 bits), its chunk count (16 bits)
 * and the next unclaimed chunk (16 bits). A claim succeeds only for the current epoch and a chunk
 * that exists, so a thread that wakes late cannot run a chunk of a finished task; the task's fields
 * stay fixed while any chunk of it is claimed, because the caller waits for every chunk to finish.
 */
public final class WorkerPool implements AutoCloseable {

    /** Work on items [from, to) by worker number {@code worker} (0 is the calling thread). */
    @FunctionalInterface
    public interface RangeTask {
        void run(int from, int to, int worker);
    }

    private static final int SPIN_LIMIT = 20_000;
    /** Chunks per thread: enough to absorb a descheduled thread's share, few enough to stay long and sequential. */
    private static final int CHUNKS_PER_THREAD = 4;
    private static final int MAX_CHUNKS = 0xffff;

    private final Thread[] workers;
    private final AtomicLong ticket = new AtomicLong();
    private final AtomicInteger done = new AtomicInteger();
    private volatile long epoch;
    private volatile boolean closed;
    private volatile RangeTask task;
    private volatile int count;
    private volatile int chunkSize;
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

    /** Runs {@code task} over [0, count) split across all threads; returns when every item is done. */
    public void forRange(int count, RangeTask task) {
        forRange(count, 1, threads(), task);
    }

    /**
     * As {@link #forRange(int, RangeTask)}, with chunk boundaries at multiples of {@code align}
     * items (e.g. a kernel's row tile), except at the end of the range, and on the calling thread
     * alone when {@code maxThreads} is 1 (work too small to repay waking another thread).
     */
    public synchronized void forRange(int count, int align, int maxThreads, RangeTask task) {
        if (closed) throw new IllegalStateException("worker pool is closed");
        if (count <= 0) return;
        int threads = Math.min(threads(), maxThreads);
        if (threads <= 1 || count <= align) {
            task.run(0, count, 0);
            return;
        }
        int units = (count + align - 1) / align;
        int chunks = Math.min(Math.min(units, threads * CHUNKS_PER_THREAD), MAX_CHUNKS);
        int unitsPerChunk = (units + chunks - 1) / chunks;
        chunks = (units + unitsPerChunk - 1) / unitsPerChunk;
        this.task = task;
        this.count = count;
        this.chunkSize = unitsPerChunk * align;
        this.caller = Thread.currentThread();
        this.failure = null;
        done.set(0);
        long e = epoch + 1;
        ticket.set(e << 32 | (long) chunks << 16);
        epoch = e;
        for (var w : workers) LockSupport.unpark(w);
        runChunks(e, 0);
        int spins = 0;
        while (done.get() < chunks) {
            if (++spins < SPIN_LIMIT) Thread.onSpinWait();
            else LockSupport.park(this);
        }
        this.task = null;
        var failed = failure;
        if (failed != null) {
            if (failed instanceof RuntimeException r) throw r;
            if (failed instanceof Error err) throw err;
            throw new IllegalStateException(failed);
        }
    }

    /** Claims and runs chunks of task {@code e} until none is left. */
    private void runChunks(long e, int worker) {
        while (true) {
            long t = ticket.get();
            int chunks = (int) (t >>> 16) & 0xffff;
            int next = (int) t & 0xffff;
            if (t >>> 32 != e || next >= chunks) return;
            if (!ticket.compareAndSet(t, t + 1)) continue;
            int from = next * chunkSize;
            int to = Math.min(count, from + chunkSize);
            try {
                task.run(from, to, worker);
            } catch (Throwable failed) {
                failure = failed;
            } finally {
                if (done.incrementAndGet() == chunks && worker != 0) LockSupport.unpark(caller);
            }
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
            runChunks(seen, worker);
        }
    }

    @Override
    public void close() {
        closed = true;
        for (var w : workers) LockSupport.unpark(w);
    }
}
