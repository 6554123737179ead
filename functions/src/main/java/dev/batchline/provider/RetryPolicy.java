package dev.batchline.provider;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How a call retries transient failures: capped exponential backoff with full jitter, or the
 * provider's Retry-After when it gives one (capped too, so a Lambda does not sleep past its time).
 *
 * @param maxAttempts attempts of one call, the first included
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay) {

    public static final RetryPolicy DEFAULT = new RetryPolicy(5, Duration.ofMillis(500), Duration.ofSeconds(20));

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
    }

    /** The wait before attempt {@code attempt + 1}, after attempt {@code attempt} (from 1) failed. */
    public Duration delay(int attempt, Duration retryAfter) {
        if (retryAfter != null) {
            return retryAfter.compareTo(maxDelay) > 0 ? maxDelay : retryAfter;
        }
        long ceiling = Math.min(maxDelay.toMillis(), baseDelay.toMillis() << Math.min(attempt - 1, 20));
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(ceiling + 1));
    }
}
