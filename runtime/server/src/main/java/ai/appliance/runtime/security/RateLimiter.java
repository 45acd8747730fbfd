package ai.appliance.runtime.security;

import java.util.concurrent.ConcurrentHashMap;

/** Per-principal token buckets: {@code rate} requests per second, bursts up to {@code max(1, rate)}. */
public final class RateLimiter {

    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        final double rate;
        final double capacity;
        double tokens;
        long lastNanos;

        Bucket(double rate, long now) {
            this.rate = rate;
            this.capacity = Math.max(1, rate);
            this.tokens = capacity;
            this.lastNanos = now;
        }

        synchronized long take(long now) {
            tokens = Math.min(capacity, tokens + (now - lastNanos) / 1e9 * rate);
            lastNanos = now;
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return (long) Math.ceil((1 - tokens) / rate * 1000);
        }
    }

    /** Returns 0 when allowed, else the milliseconds until one request is allowed again. */
    public long acquire(Principal principal) {
        if (principal.ratePerSecond() <= 0) {
            return 0;
        }
        long now = System.nanoTime();
        var bucket = buckets.computeIfAbsent(principal.name() + "|" + principal.ratePerSecond(),
                k -> new Bucket(principal.ratePerSecond(), now));
        return bucket.take(now);
    }
}
