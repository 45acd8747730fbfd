package ai.appliance.sync.agent;

/**
 * A token bucket shared by all download threads: caps the average rate so the sync never saturates a
 * shared site link. A request may take the bucket into debt; later callers wait it off.
 */
final class RateLimiter {
    private final long bytesPerSecond;
    private double available;
    private long lastRefill;

    RateLimiter(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
        this.available = bytesPerSecond;
        this.lastRefill = System.nanoTime();
    }

    void acquire(long bytes) throws InterruptedException {
        if (bytesPerSecond <= 0) return;
        long waitNanos;
        synchronized (this) {
            long now = System.nanoTime();
            available = Math.min(bytesPerSecond, available + (now - lastRefill) * bytesPerSecond / 1e9);
            lastRefill = now;
            available -= bytes;
            waitNanos = available >= 0 ? 0 : (long) (-available * 1e9 / bytesPerSecond);
        }
        if (waitNanos > 0) Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
    }
}
